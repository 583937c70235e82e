"""App configuration for notifications (消息通知)."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "zhitong.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self):
        # Registers the delivery of messages as a kind of background job.
        from zhitong.notifications import (
            jobs,  # noqa: F401
            verbs,  # noqa: F401 (registers the timeline's verbs)
        )
