"""App configuration for handling (交办 · 承办): the machinery every process hands work with."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandlingConfig(AppConfig):
    name = "zhitong.handling"
    label = "handling"
    verbose_name = _("交办承办")

    def ready(self):
        # Deadlines move when a holiday year is published: one hook for every process.
        from zhitong.handling import services, verbs  # noqa: F401 (registers the verbs)
        from zhitong.workdays.services import on_calendar_changed

        on_calendar_changed(services.calendar_changed)
