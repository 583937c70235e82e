"""Settings for the SQLite fault probe: the real settings (SQLite in ZHITONG_DATA_DIR), no
rate limits (one address submits throughout), quiet logs."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)

from zhitong.settings import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
OPINIONS_RATE_LIMITS = {
    "submit_ip": "100000000/60",
    "post_ip": "100000000/60",
    "message_to": "100000000/60",
    "message_ip": "100000000/60",
    "lookup_ip": "100000000/60",
}
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
