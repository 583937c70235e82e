"""What every app shares in the database: the event timeline (append-only, one row per state
change), the record of reads of personal data, and background jobs."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def max_length(model, field_name: str) -> int:
    """The max_length of a CharField, as an int (for checks and messages)."""
    length = model._meta.get_field(field_name).max_length
    if length is None:
        raise ValueError(f"{model.__name__}.{field_name} has no max_length")
    return int(length)


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an event row."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(_("事件记录只能追加，不能修改。"))

    def delete(self):
        raise AppendOnlyError(_("事件记录只能追加，不能删除。"))

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError(_("事件记录只能追加，不能修改。"))

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class Event(models.Model):
    """A state change: who did what to which object, when, from which state to which.

    Written by services in the same transaction as the change it records. The code
    refuses updates and deletes, and database triggers (migration 0002) refuse them too.
    """

    # A default, not auto_now_add: imports and the demo record events at their real time.
    occurred_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # PROTECT: an account that has acted is deactivated, never deleted, so history keeps it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The actor's name as it was, so the timeline reads right after a rename.
    actor_name = models.CharField(_("操作人姓名"), max_length=100, blank=True)
    # PROTECT: content types are never removed while events point at them.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    verb = models.CharField(_("动作"), max_length=64)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    # The district the object belongs to (region code), kept so the table can be sharded.
    district_code = models.CharField(_("所属区"), max_length=12, blank=True, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "occurred_at"])]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_name} {self.verb}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError(_("事件记录只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("事件记录只能追加，不能删除。"))


class AccessRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(_("读取记录只能追加，不能修改。"))

    def delete(self):
        raise AppendOnlyError(_("读取记录只能追加，不能删除。"))


class AccessRecord(models.Model):
    """Who read personal data, when: a case page, a citizen's photo, a ledger export.

    Events record changes; these record reads. Written by the views that show or send
    personal data, one row per read; readable by auditors (核查 who looked at a citizen's
    case), never changed.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("查看")
        LIST = "list", _("查看列表")
        DOWNLOAD = "download", _("下载附件")
        EXPORT = "export", _("导出台账")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("读取人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("读取人姓名"), max_length=100, blank=True)
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    # What was read, in words: the case's code, the file's name, the export's filter and rows.
    detail = models.CharField(_("内容"), max_length=300, blank=True)
    address = models.CharField(_("来源地址"), max_length=64, blank=True)
    district_code = models.CharField(_("所属区"), max_length=12, blank=True)

    objects = AccessRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("读取记录")
        verbose_name_plural = _("读取记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["actor", "-id"], name="access_actor_newest"),
            models.Index(fields=["content_type", "object_id", "-id"], name="access_object_newest"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.detail}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError(_("读取记录只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("读取记录只能追加，不能删除。"))


class CacheEntry(models.Model):
    """A row of the shared cache (zhitong.core.cache.DatabaseCache, settings.CACHES).

    The table Django's `createcachetable` would make, made by `migrate` instead, so no
    deployment or test run can forget it. Nothing reads it through the ORM.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "zhitong_cache"
        verbose_name = _("缓存条目")
        verbose_name_plural = _("缓存条目")

    def __str__(self):
        return self.cache_key


# No job takes this long (a ledger of a million rows takes minutes): one still running after
# it lost its worker.
JOB_STALLED_AFTER = datetime.timedelta(hours=1)


class Job(models.Model):
    """Work done by the task worker: requested by someone (a large ledger export, an
    import) or by the system (a message to deliver, the statistics to refresh).

    The requester follows its progress on its page and downloads the file when it is done:
    the file exists only once complete (written under a temporary name, then moved), so a
    download is the whole ledger or nothing. A kind registered with several attempts is
    tried again after a failure (`retrying`, at `next_attempt_at`); every attempt is a
    JobAttempt row, shown to system administrators with its error.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        RETRYING = "retrying", _("等待重试")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=64)
    label = models.CharField(_("名称"), max_length=200)
    # PROTECT: a requested job's file is its requester's alone. Null: a system job (a
    # message delivery, a statistics refresh), nobody's in particular.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Never a secret or a citizen's personal data: shown to system administrators.
    params = models.JSONField(_("参数"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default="queued")
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("最多尝试次数"), default=1)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), null=True, blank=True)
    # What is being done now, in words ("检查每一行", "写入"), shown with the progress.
    step = models.CharField(_("当前步骤"), max_length=100, blank=True)
    # The uploaded file a job works on (an import): deleted when the job ends, whatever
    # the outcome, so citizens' data is not kept twice.
    source = models.FileField(_("上传的文件"), upload_to="jobs/sources/", blank=True)
    # What the job came to, for its page: {"summary", "url", "errors", "created"}.
    result = models.JSONField(_("结果"), default=dict, blank=True)
    file = models.FileField(_("文件"), upload_to="jobs/%Y/%m/", blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [
            models.Index(fields=["requested_by", "-id"], name="job_requester_newest"),
            # The sweep of retries that are due, and the failures shown to administrators.
            models.Index(fields=["state", "next_attempt_at"], name="job_state_next_attempt"),
        ]

    def __str__(self):
        return f"{self.label} ({self.get_state_display()})"

    @property
    def is_system(self) -> bool:
        return self.requested_by_id is None

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED) or self.stalled

    @property
    def stalled(self) -> bool:
        """Running far longer than any job takes: its worker was stopped (a restart, a
        kill). The job is not taken up again; its requester starts it anew."""
        return (
            self.state == self.State.RUNNING
            and self.started_at is not None
            and timezone.now() - self.started_at > JOB_STALLED_AFTER
        )


class JobAttempt(models.Model):
    """One run of a job by the worker, and how it ended: the history of its retries."""

    # CASCADE: an attempt means nothing without its job.
    job = models.ForeignKey(
        Job, verbose_name=_("后台任务"), on_delete=models.CASCADE, related_name="attempt_rows"
    )
    number = models.PositiveSmallIntegerField(_("第几次"))
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    succeeded = models.BooleanField(_("成功"), default=False)
    # The exception's class and text, for administrators; the job kind keeps personal
    # data out of it (a delivery masks the address).
    error = models.TextField(_("错误信息"), blank=True)

    class Meta:
        verbose_name = _("任务尝试")
        verbose_name_plural = _("任务尝试")
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="job_attempt_unique_number")
        ]

    def __str__(self):
        return f"{self.job_id} #{self.number}"
