"""App configuration for imports (数据导入)."""

from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "zhitong.imports"
    label = "imports"
    verbose_name = "数据导入"

    def ready(self):
        # Registers the structure import as a kind of background job.
        from zhitong.imports import (
            jobs,  # noqa: F401
            verbs,  # noqa: F401 (registers the timeline's verbs)
        )
