"""App configuration for deputies' suggestions (代表建议)."""

from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "zhitong.suggestions"
    label = "suggestions"
    verbose_name = "代表建议"

    def ready(self):
        from zhitong.handling.registry import register
        from zhitong.suggestions import (  # noqa: F401 (permissions, the timeline's verbs)
            booklet,  # noqa: F401 (the booklet job kind)
            rules,
            verbs,
        )
        from zhitong.suggestions.handling import SuggestionProcess

        register(SuggestionProcess())

        # What the statistics summary computes for suggestions (dashboards).
        from zhitong.handling.figures import register_figures
        from zhitong.suggestions.figures import SOURCE

        register_figures(SOURCE)
