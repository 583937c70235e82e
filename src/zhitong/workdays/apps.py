"""App configuration for the working-day calendar (工作日历)."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def reseed_calendar(sender, apps=None, **kwargs):
    """Enter the known years again after `migrate` or `flush` (the test suite flushes):
    the calendar is reference data. `flush` sends no `apps`; then use the live registry."""
    from django.apps import apps as live_apps

    from zhitong.workdays.seed import seed_missing_years

    seed_missing_years(apps or live_apps)


class WorkdaysConfig(AppConfig):
    name = "zhitong.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self):
        from zhitong.workdays import verbs  # noqa: F401 (registers the timeline's verbs)

        post_migrate.connect(reseed_calendar, sender=self, dispatch_uid="workdays_reseed")
