"""Import batches (导入批次): one row per uploaded structure file, kept whether it was written or rejected."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.regions.models import Region


class ImportKind(models.TextChoices):
    DEPUTIES = "deputies", _("代表名册")
    STATIONS = "stations", _("联络站点")
    UNITS = "units", _("承办单位")


# What one row of each kind becomes, for "新增人大代表 12 名".
RECORD_NOUNS = {
    ImportKind.DEPUTIES: _("人大代表"),
    ImportKind.STATIONS: _("联络站点"),
    ImportKind.UNITS: _("承办单位"),
}


class ImportStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _("已导入")
    REJECTED = "rejected", _("已退回")


class ImportBatchQuerySet(models.QuerySet):
    def in_region(self, region: Region):
        return self.filter(region__path__startswith=region.path)


class ImportBatch(models.Model):
    """One uploaded file and what became of it.

    A rejected file keeps its batch row with the error report, so the uploader can
    read the report and the office can see every attempt; no structure row is
    written for it.
    """

    kind = models.CharField(_("导入类型"), max_length=16, choices=ImportKind.choices)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    # PROTECT: an account that has imported is deactivated, never deleted.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    status = models.CharField(_("结果"), max_length=16, choices=ImportStatus.choices)
    # PROTECT: the region the rows were imported into; scoping key of the batch list.
    region = models.ForeignKey(
        Region,
        verbose_name=_("导入区划"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    row_count = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增记录数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    # A list of {"row", "column", "value", "message"}; row is None for file-level errors.
    errors = models.JSONField(_("错误报告"), default=list, blank=True)
    # Extra counts of a successful import, e.g. memberships and station assignments made.
    summary = models.JSONField(_("导入摘要"), default=dict, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def record_noun(self) -> str:
        return RECORD_NOUNS[self.kind]

    @property
    def succeeded(self) -> bool:
        return self.status == ImportStatus.SUCCEEDED


class PreviewStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    APPLIED = "applied", _("已更新")
    CANCELLED = "cancelled", _("已取消")
    STALE = "stale", _("已过时")
    REJECTED = "rejected", _("有错误")


class RosterPreview(models.Model):
    """An uploaded deputy roster compared with the district's deputies (更新代表名册), kept
    until staff confirm or cancel it (imports.roster says how rows are matched).

    What is applied is exactly what was previewed: `rows` stores each row's plan and
    changes as computed once; `fingerprint` is a hash of every deputy of the district as
    the preview read them, and applying refuses when it no longer matches.
    """

    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    # PROTECT: an account that has imported is deactivated, never deleted.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="roster_previews",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # PROTECT: the district the roster belongs to; scoping key of the previews.
    region = models.ForeignKey(
        Region, verbose_name=_("区"), on_delete=models.PROTECT, related_name="roster_previews"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=PreviewStatus.choices, default=PreviewStatus.PENDING
    )
    row_count = models.PositiveIntegerField(_("数据行数"), default=0)
    new_count = models.PositiveIntegerField(_("新增"), default=0)
    changed_count = models.PositiveIntegerField(_("有变化"), default=0)
    unchanged_count = models.PositiveIntegerField(_("无变化"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    # [{"row", "action", "deputy", "code", "name", "changes": [{"field", "old", "new"}], "data"}]
    rows = models.JSONField(_("逐行结果"), default=list, blank=True)
    # [{"row", "column", "value", "message"}], as an import batch's.
    errors = models.JSONField(_("错误报告"), default=list, blank=True)
    # Serving deputies of the district the file does not list: [{"id", "code", "name"}].
    missing = models.JSONField(_("名册中没有的在任代表"), default=list, blank=True)
    fingerprint = models.CharField(_("预览时的数据指纹"), max_length=64, blank=True)
    # SET_NULL: the batch written when the preview was applied.
    batch = models.OneToOneField(
        ImportBatch,
        verbose_name=_("导入批次"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roster_preview",
    )
    decided_at = models.DateTimeField(_("确认或取消时间"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("代表名册更新预览")
        verbose_name_plural = _("代表名册更新预览")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "-created_at"])]

    def __str__(self):
        return f"{_('代表名册更新预览')} · {self.file_name}"

    @property
    def pending(self) -> bool:
        return self.status == PreviewStatus.PENDING
