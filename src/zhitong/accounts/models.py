"""Accounts: one role per account, with the scope that role works in."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.core.roles import REGION_ROLES, Role
from zhitong.regions.models import Region
from zhitong.units.models import HandlingUnit

# Role and REGION_ROLES live in core.roles and are imported from here by most code.
__all__ = ["REGION_ROLES", "Role", "NotifyMode", "User"]


class NotifyMode(models.TextChoices):
    IMMEDIATE = "immediate", _("即时通知")
    DIGEST = "digest", _("每日汇总")


class User(AbstractUser):
    """A person who signs in. Staff roles carry a region; unit accounts carry their unit."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.CITIZEN)
    # PROTECT: an account's scope must be moved before its region can go.
    region = models.ForeignKey(
        Region,
        verbose_name=_("工作范围（区划）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        help_text=_("常委会、主任会议、街道工委和管理员账号只能看到此区划及其下级。"),
    )
    # PROTECT: a unit with accounts is deactivated, not deleted.
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("所属承办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )

    notify_mode = models.CharField(
        _("消息接收方式"), max_length=12, choices=NotifyMode.choices, default=NotifyMode.IMMEDIATE
    )

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self):
        return self.get_full_name()

    def get_full_name(self):
        return self.display_name or super().get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role in REGION_ROLES and self.region_id is None:
            raise ValidationError({"region": _("该角色必须指定工作范围（区划）。")})
        if self.role == Role.UNIT and self.unit_id is None:
            raise ValidationError({"unit": _("承办单位账号必须指定所属单位。")})
        if self.role != Role.UNIT and self.unit_id is not None:
            raise ValidationError({"unit": _("只有承办单位账号可以指定所属单位。")})

    @property
    def is_region_scoped(self) -> bool:
        return self.role in REGION_ROLES


class InvitationQuerySet(models.QuerySet):
    def open(self, now=None):
        """Invitations that can still be used: not used, not withdrawn, not expired."""
        from django.utils import timezone

        return self.filter(
            used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now()
        )


class Invitation(models.Model):
    """A one-time invitation to set one's own password (首次登录邀请), sent by SMS or e-mail.

    Only a SHA-256 hash of the secret token is stored (the token itself, 256 random bits,
    exists only in the message that was sent), so neither this table nor the stored
    message can be used to sign in. An invitation is used once, expires, and is withdrawn
    when a new one is sent to the same account.
    """

    # CASCADE: an invitation is part of its account.
    user = models.ForeignKey(
        User, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    # SET_NULL: who sent it is history; the sender's name is on the event.
    sent_by = models.ForeignKey(
        User,
        verbose_name=_("发送人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
    )
    channel = models.CharField(_("发送方式"), max_length=8)
    # Masked (138****0000): enough for staff to tell which number was used.
    sent_to = models.CharField(_("发送到"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("登录邀请")
        verbose_name_plural = _("登录邀请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d}"
