"""App configuration for dashboards (统计)."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "zhitong.dashboards"
    label = "dashboards"
    verbose_name = "统计"
