"""App configuration for handling (交办 · 承办): the machinery every process hands work with."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandlingConfig(AppConfig):
    name = "zhitong.handling"
    label = "handling"
    verbose_name = _("交办承办")

    def ready(self):
        # Deadlines move when a holiday year is published: one hook for every process.
        # The verbs of the timeline, and the deadline check as a kind of background job.
        from zhitong.handling import jobs, services, verbs  # noqa: F401
        from zhitong.workdays.services import on_calendar_changed

        on_calendar_changed(services.calendar_changed)
