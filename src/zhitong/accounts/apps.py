"""App configuration for accounts (账号与角色)."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhitong.accounts"
    label = "accounts"
    verbose_name = "账号与角色"
