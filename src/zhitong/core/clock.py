"""The clock: one place to read the time, looked up at call time so tests can move it."""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """The current time, aware, in UTC."""
    return timezone.now()


def today() -> datetime.date:
    """Today's date in the site's time zone (Asia/Shanghai)."""
    return timezone.localdate(timezone.now())
