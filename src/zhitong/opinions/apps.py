"""App configuration for opinions (群众意见建议)."""

from django.apps import AppConfig


class OpinionsConfig(AppConfig):
    name = "zhitong.opinions"
    label = "opinions"
    verbose_name = "群众意见建议"

    def ready(self):
        from zhitong.core.events import keep_timeline_of
        from zhitong.handling.registry import register
        from zhitong.opinions import verbs  # noqa: F401 (registers the timeline's verbs)
        from zhitong.opinions.handling import OpinionProcess
        from zhitong.opinions.models import Opinion

        keep_timeline_of(Opinion)
        # Registers the ledger export as a kind of background job, and the composer of the
        # message with the tracking code (which the task worker must find).
        # "新意见" as a kind of event people choose how to hear of (notifications.kinds).
        from zhitong.opinions import intake, jobs, news  # noqa: F401

        news.register()

        # Referrals are handling assignments: handling acts on opinions through this.
        register(OpinionProcess())

        # What the statistics summary (dashboards, above) computes for opinions.
        from zhitong.handling.figures import register_figures
        from zhitong.opinions.figures import SOURCE

        register_figures(SOURCE)
