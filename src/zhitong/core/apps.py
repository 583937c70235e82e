"""App configuration for core (公共)."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhitong.core"
    label = "core"
    verbose_name = "公共"

    def ready(self):
        from django.db.backends.signals import connection_created

        from zhitong.core.db import register_sqlite_functions

        install_text_cleaning()
        connection_created.connect(register_sqlite_functions, dispatch_uid="zhitong_sqlite_fns")


def install_text_cleaning() -> None:
    """Every text field of every form (the project's, auth's, the admin's) drops invisible
    control characters before validation, so a subject of zero-width spaces is empty (and
    refused when required) and no bidi override reaches a page or a ledger.

    Passwords are left as typed: they are never shown, and changing them would lock out.
    """
    from django import forms

    from zhitong.core.text import strip_invisible

    if getattr(forms.CharField.to_python, "zhitong_cleans_text", False):
        return
    original = forms.CharField.to_python

    def to_python(self, value):
        if isinstance(value, str) and not isinstance(self.widget, forms.PasswordInput):
            value = strip_invisible(value)
        return original(self, value)

    to_python.zhitong_cleans_text = True
    forms.CharField.to_python = to_python
