"""App configuration for the demo district (演示数据): its commands, seed_demo and
print_demo_accounts."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zhitong.demo"
    label = "demo"
    verbose_name = "演示数据"
