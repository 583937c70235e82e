"""App configuration for insights (智能辅助): routing suggestions, duplicates, hot topics
and reply quality. Text in; categories, duplicates, topics and scores out."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "zhitong.insights"
    label = "insights"
    verbose_name = "智能辅助"

    def ready(self):
        from zhitong.insights import jobs, rules  # noqa: F401 (the retraining job, permissions)
