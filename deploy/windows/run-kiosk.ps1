<#
.SYNOPSIS
  Runs the kiosk client and restarts it within 2 s after a crash (non-zero exit). Exit code 0 (the admin
  menu's "Exit kiosk") ends the loop. Started by the CloudTourKiosk task (install-kiosk-task.ps1).
#>
param(
    [Parameter(Mandatory = $true)] [string] $InstallDir,
    [Parameter(Mandatory = $true)] [string] $Config
)
$python = Join-Path $InstallDir ".venv\Scripts\python.exe"
Set-Location $InstallDir
while ($true) {
    & $python main.py --config $Config
    $code = $LASTEXITCODE
    if ($code -eq 0) { break }
    if ($code -eq 2) { Write-Error "kiosk config or flag rejected (exit 2): fix $Config"; exit 2 }
    Start-Sleep -Seconds 2
}
