"""App configuration for units (承办单位与分类)."""

from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "zhitong.units"
    label = "units"
    verbose_name = "承办单位与分类"
