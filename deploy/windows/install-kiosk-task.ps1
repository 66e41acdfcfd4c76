<#
.SYNOPSIS
  Installs the Cloud Tour kiosk as a Task Scheduler task that starts at logon and restarts on failure.

.DESCRIPTION
  Run once, in an elevated PowerShell, on the kiosk PC (auto-logon as the kiosk account):

    powershell -ExecutionPolicy Bypass -File deploy\windows\install-kiosk-task.ps1 `
        -InstallDir C:\CloudTour -Config C:\CloudTour\kiosk.toml -User KIOSK\kiosk

  The task runs run-kiosk.ps1, which restarts the client within 2 s whenever it exits non-zero (a crash
  exits with 70); "Exit kiosk" in the admin menu exits with 0 and ends the loop. If the loop itself
  dies, Task Scheduler restarts the task (every minute, up to 999 times). Remove with:
    Unregister-ScheduledTask -TaskName CloudTourKiosk -Confirm:$false
  See docs/deploy.md, "Kiosks".
#>
param(
    [Parameter(Mandatory = $true)] [string] $InstallDir,
    [Parameter(Mandatory = $true)] [string] $Config,
    [Parameter(Mandatory = $true)] [string] $User,
    [string] $TaskName = "CloudTourKiosk"
)
$ErrorActionPreference = "Stop"

$runner = Join-Path $InstallDir "deploy\windows\run-kiosk.ps1"
if (-not (Test-Path $runner)) { throw "not found: $runner (is -InstallDir the checkout?)" }
if (-not (Test-Path $Config)) { throw "not found: $Config" }

$action = New-ScheduledTaskAction -Execute "powershell.exe" `
    -Argument "-NoProfile -WindowStyle Hidden -ExecutionPolicy Bypass -File `"$runner`" -InstallDir `"$InstallDir`" -Config `"$Config`"" `
    -WorkingDirectory $InstallDir
$trigger = New-ScheduledTaskTrigger -AtLogOn -User $User
$settings = New-ScheduledTaskSettingsSet `
    -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) `
    -ExecutionTimeLimit ([TimeSpan]::Zero) `
    -MultipleInstances IgnoreNew -StartWhenAvailable `
    -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -DontStopOnIdleEnd
$principal = New-ScheduledTaskPrincipal -UserId $User -LogonType Interactive -RunLevel Limited

Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Settings $settings `
    -Principal $principal -Description "Cloud Tour Treasure Hunt kiosk (restarts on failure)" -Force | Out-Null
Write-Host "Installed task '$TaskName' for $User. It starts at the next logon (or: Start-ScheduledTask $TaskName)."
