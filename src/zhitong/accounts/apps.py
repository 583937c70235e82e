"""App configuration for accounts (账号与角色)."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhitong.accounts"
    label = "accounts"
    verbose_name = "账号与角色"

    def ready(self):
        from zhitong.accounts import verbs  # noqa: F401 (registers the timeline's verbs)
        from zhitong.accounts.scope import compute_work_scope
        from zhitong.core.scoping import provide_work_scope

        # One scope value per user, read by every app below and above (core.scoping).
        provide_work_scope(compute_work_scope)
