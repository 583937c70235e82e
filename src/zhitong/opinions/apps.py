"""App configuration for opinions (群众意见建议)."""

from django.apps import AppConfig


class OpinionsConfig(AppConfig):
    name = "zhitong.opinions"
    label = "opinions"
    verbose_name = "群众意见建议"

    def ready(self):
        from zhitong.core.events import keep_timeline_of
        from zhitong.opinions.models import Opinion
        from zhitong.opinions.services import calendar_changed
        from zhitong.workdays.services import on_calendar_changed

        keep_timeline_of(Opinion)
        # Registers the ledger export as a kind of background job, and the composer of the
        # message with the tracking code (which the task worker must find).
        from zhitong.opinions import intake, jobs  # noqa: F401

        # Open referral deadlines are recomputed inside the transaction that publishes a
        # year's holiday schedule (a module-level function: registries may hold it weakly).
        on_calendar_changed(calendar_changed)
