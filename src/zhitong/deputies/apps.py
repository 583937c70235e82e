"""App configuration for deputies (人大代表)."""

from django.apps import AppConfig


class DeputiesConfig(AppConfig):
    name = "zhitong.deputies"
    label = "deputies"
    verbose_name = "人大代表"
