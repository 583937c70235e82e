"""Admin of accounts (账号): the custom user with its role and scope."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from zhitong.accounts.models import User
from zhitong.core.admin import RecordedEditsAdmin


@admin.register(User)
class UserAdmin(RecordedEditsAdmin, DjangoUserAdmin):
    """Django's user admin plus the role, its scope (region or unit) and contact fields."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "phone", "email", "first_name", "last_name")}),
        (
            _("角色与工作范围"),
            {
                "fields": ("role", "region", "unit"),
                "description": _(
                    "常委会、主任会议、街道工委和管理员账号须指定区划；承办单位账号须指定所属单位。"
                ),
            },
        ),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "display_name",
                    "phone",
                    "role",
                    "region",
                    "unit",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("username", "display_name", "role", "region", "unit", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "display_name", "phone", "email", "region__name", "unit__name")
    list_select_related = ("region", "unit")
    raw_id_fields = ("region", "unit")
    ordering = ("username",)
