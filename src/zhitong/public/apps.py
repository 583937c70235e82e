"""App configuration for public (公开页面)."""

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "zhitong.public"
    label = "public"
    verbose_name = "公开页面"

    def ready(self):
        # The batch of posters of a street or district, as a kind of background job.
        from zhitong.public import jobs  # noqa: F401
