"""App configuration for deputies' suggestions (代表建议)."""

from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "zhitong.suggestions"
    label = "suggestions"
    verbose_name = "代表建议"

    def ready(self):
        from zhitong.suggestions import verbs  # noqa: F401 (registers the timeline's verbs)
