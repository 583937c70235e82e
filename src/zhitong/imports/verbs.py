"""The imports' event verbs (zhitong.core.vocabulary)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.core.vocabulary import register


class ImportVerb(models.TextChoices):
    IMPORT_SUCCEEDED = "import_succeeded", _("导入成功")
    IMPORT_REJECTED = "import_rejected", _("导入被拒")
    IMPORTED = "imported", _("由导入创建")


register(ImportVerb)


class RosterVerb(models.TextChoices):
    ROSTER_PREVIEWED = "roster_previewed", _("上传名册待确认")
    ROSTER_APPLIED = "roster_applied", _("按名册更新")
    ROSTER_CANCELLED = "roster_cancelled", _("取消名册更新")
    ROSTER_UPDATED = "roster_updated", _("由名册更新")


register(RosterVerb)
