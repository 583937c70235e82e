#!/usr/bin/env python
"""Django's command-line utility for Zhitong."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhitong.settings")
    # A checkout with nothing configured (no DEBUG, DATABASE_URL or SECRET_KEY in the
    # environment) is a developer's: run management commands in development mode. A
    # deployment sets its database and key, so it keeps the strict default; the web
    # server (wsgi.py) never gets this default.
    if not any(os.environ.get(name) for name in ("DEBUG", "DATABASE_URL", "SECRET_KEY")):
        os.environ["DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
