"""Notifications (站内通知), outbound messages (短信/邮件) and the per-user digest marker."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One line in a user's notification centre (通知中心): what happened, and where to look."""

    # CASCADE: a notification is only ever read by its recipient; it goes with the account.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # A stable code for what happened (e.g. "opinion_referred"), for filtering and templates.
    verb = models.CharField(_("类型"), max_length=64)
    text = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=500, blank=True)
    # PROTECT: content types are never removed while rows point at them.
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    # A task (待办) is one piece of work told to several people at once ("review this
    # reply"): the notifications of one task share their subject and verb, and when one
    # of them acts (tasks_done) the task is done for all: it leaves every to-do list.
    task = models.BooleanField(_("待办"), default=False)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # SET_NULL: who did it is kept by name as it was, the account may go.
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    done_by_name = models.CharField(_("处理人姓名"), max_length=150, blank=True)
    # The lines of a digest (每日汇总): [{"text": ..., "url": ...}], each with its link.
    items = models.JSONField(_("条目"), default=list, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The unread count in the nav, the unread filter and the digest.
            models.Index(
                fields=["recipient", "read_at", "created_at"], name="notif_recipient_read_created"
            ),
            # The centre, newest first, paged by keyset.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notif_recipient_newest"),
            # tasks_done: the open tasks about one subject, whoever holds them.
            models.Index(
                fields=["subject_type", "subject_id", "verb"],
                condition=models.Q(task=True, done_at__isnull=True),
                name="notif_open_task_subject",
            ),
            # The to-do list (centre tab, homes): a user's open tasks, newest first.
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                condition=models.Q(task=True, done_at__isnull=True),
                name="notif_open_task_recipient",
            ),
        ]

    def __str__(self):
        return self.text[:50]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def is_open_task(self) -> bool:
        return self.task and self.done_at is None

    @property
    def item_links(self) -> list[tuple[str, str]]:
        """The digest's lines as (text, safe link), each link as `link` checks it."""
        return [
            (str(item.get("text", "")), _safe_link(str(item.get("url", ""))))
            for item in self.items or []
            if isinstance(item, dict)
        ]

    @property
    def link(self) -> str:
        """`url` if it is a path on this site or an http(s) address; never "javascript:"."""
        return _safe_link(self.url)


def _safe_link(url: str) -> str:
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.startswith(("https://", "http://")):
        return url
    return ""


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Message(models.Model):
    """An SMS or e-mail: recorded by the request, delivered by the task worker (a job of
    kind "notifications.deliver", retried), kept whatever the outcome.

    `to` holds a citizen's phone or e-mail in full (the sender needs it); it is personal
    data, so code logs only its masked form (zhitong.core.masking). `subject` and `body`
    never hold a secret (a tracking code, a rating key): "••••" stands in its place, and a
    message with secrets names the `composer` that writes its whole text again at delivery
    from the `related` object (see composers.py and docs/security.md).
    """

    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    to = models.CharField(_("接收地址"), max_length=254)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("正文"))
    status = models.CharField(
        _("状态"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    # The sender's name as it was, so the record says which way a message went out.
    backend = models.CharField(_("发送方式"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    # How many times the worker tried to deliver it: "failed after 5 attempts".
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # The registered composer that writes the whole text again from `related` (composers.py),
    # and the language it is written in.
    composer = models.CharField(_("正文生成方式"), max_length=64, blank=True)
    language = models.CharField(_("语言"), max_length=16, blank=True)
    # PROTECT: content types are never removed while rows point at them.
    related_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    related_id = models.CharField(max_length=64, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    # SET_NULL: the record of what was sent outlives the account it was sent to.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages_received",
    )

    class Meta:
        verbose_name = _("短信/邮件")
        verbose_name_plural = _("短信/邮件")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "Which messages went out about this opinion?"
            models.Index(fields=["related_type", "related_id"], name="message_related"),
            models.Index(fields=["status", "created_at"], name="message_status_created"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} #{self.pk} {self.get_status_display()}"


class DigestMarker(models.Model):
    """When a user's last daily digest (每日汇总) went out: the next one covers what came after."""

    # CASCADE: the marker means nothing without its account.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="notification_digest",
    )
    # Null until the first digest: then every unread notification counts as new.
    last_sent_at = models.DateTimeField(_("上次汇总时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("汇总记录")
        verbose_name_plural = _("汇总记录")

    def __str__(self):
        return f"{self.user} {self.last_sent_at or '-'}"


class Delivery(models.TextChoices):
    """How a user hears of one kind of event (新意见 ...): their choice, or their role's default."""

    IMMEDIATE_MESSAGE = "immediate_message", _("即时（站内通知，并发短信或邮件）")
    IMMEDIATE = "immediate", _("即时（站内通知）")
    DIGEST = "digest", _("每日汇总")
    NONE = "none", _("不接收")


class Preference(models.Model):
    """One user's choice for one kind of event, and when its digest last went out.

    `mode` blank means the default of the user's role (notifications.kinds); a row with a
    blank mode exists only to keep `digest_sent_at`.
    """

    # CASCADE: a preference means nothing without its account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    # The registered kind's code (notifications.kinds), e.g. "opinion_new".
    kind = models.CharField(_("事项"), max_length=64)
    mode = models.CharField(
        _("接收方式"), max_length=20, choices=Delivery.choices, blank=True, default=""
    )
    # The end of the window of the last digest of this kind: the next covers what came after.
    digest_sent_at = models.DateTimeField(_("上次汇总时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notif_preference_user_kind")
        ]

    def __str__(self):
        return f"{self.user} {self.kind} {self.mode or '-'}"
