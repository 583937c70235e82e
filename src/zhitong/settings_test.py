"""Settings for the test suite: the real settings with a fixed key and a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-" + "x" * 40)

from zhitong.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The test client speaks plain HTTP (as with HTTPS=off); the HTTPS settings themselves are
# tested in subprocesses with the real settings (core/tests/test_deploy_settings.py).
HTTPS = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# One process per test worker: local memory is enough, and keeps the query counts of
# the pages' own tests free of cache queries. The shared database cache of a deployment
# is tested across processes, with the real settings (core/tests/test_cache.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Static files come from the finders in tests (no collectstatic run).
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
# A process defined only in the tests (zhitong/handling/tests/errands): proves that the
# handling machinery serves any process, not only opinions.
INSTALLED_APPS = [*INSTALLED_APPS, "zhitong.handling.tests.errands"]  # noqa: F405
