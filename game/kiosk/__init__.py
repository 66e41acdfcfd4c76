"""Unattended kiosk operation: the kiosk config file, the admin PIN, the shell that guards each
visitor's session (idle, hand-off, wipe, admin gesture), the systemd watchdog and the data-dir caps."""
