"""Settings for benchmarks: the real settings on PostgreSQL, with a bare insert view mounted."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
# The pages are fetched in-process over plain HTTP: no redirect to HTTPS.
os.environ.setdefault("HTTPS", "off")

from zhitong.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls_bench"
ALLOWED_HOSTS = ["*"]
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The public form's rate limits would stop a load test from one address.
OPINIONS_RATE_LIMITS = {
    "submit_ip": "100000000/60",
    "post_ip": "100000000/60",
    "message_to": "100000000/60",
    "message_ip": "100000000/60",
    "lookup_ip": "100000000/60",
}
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
