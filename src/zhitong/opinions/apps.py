"""App configuration for opinions (群众意见建议)."""

from django.apps import AppConfig


class OpinionsConfig(AppConfig):
    name = "zhitong.opinions"
    label = "opinions"
    verbose_name = "群众意见建议"
