"""Public pages: the station and deputy directories and QR codes."""
