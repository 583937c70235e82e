"""App configuration for public (公开页面)."""

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "zhitong.public"
    label = "public"
    verbose_name = "公开页面"
