"""App configuration for regions (行政区划)."""

from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "zhitong.regions"
    label = "regions"
    verbose_name = "行政区划"
