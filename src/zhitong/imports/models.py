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
