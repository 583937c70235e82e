"""App configuration for core (公共)."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhitong.core"
    label = "core"
    verbose_name = "公共"
