"""App configuration for notifications (消息通知)."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "zhitong.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self):
        from zhitong.notifications import verbs  # noqa: F401 (registers the timeline's verbs)
