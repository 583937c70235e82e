"""What insights keeps: the router's training rows, its versions with their measured
figures, the predictions it made, and each district's auto-routing setting.

Insights knows no process model: a row names its process ("opinions", "suggestions") and
the object's id as text, and a label is a category's code.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# A text longer than this is cut before it is stored or read by the router: the first
# few thousand characters of a message say what it is about.
TEXT_LIMIT = 4000
TITLE_LIMIT = 200


class Example(models.Model):
    """One training row: a message's title and text and the category staff gave it."""

    class Source(models.TextChoices):
        SEED = "seed", _("初始数据")
        # Prior knowledge that is not a message (a taxonomy's subject names): trained on,
        # never held back to measure.
        PRIOR = "prior", _("先验知识")
        CONFIRMED = "confirmed", _("工作人员确认")
        CORRECTED = "corrected", _("工作人员更正")

    # The process and the object the row came from; for seed rows, the data set and the
    # row's number there (e.g. "tipdm2020c", "24").
    process = models.CharField(_("来源"), max_length=30)
    object_id = models.CharField(_("对象编号"), max_length=40)
    title = models.CharField(_("标题"), max_length=TITLE_LIMIT, blank=True)
    text = models.TextField(_("内容"), blank=True)
    label = models.CharField(_("分类编码"), max_length=20, db_index=True)
    source = models.CharField(_("类型"), max_length=10, choices=Source.choices)
    # How much the row counts in a training: 1 for a message; less for prior knowledge
    # that is not a message (a taxonomy's subject names).
    weight = models.FloatField(_("权重"), default=1.0)
    # What the model proposed when staff decided ("" when it proposed nothing).
    predicted = models.CharField(_("模型建议"), max_length=20, blank=True)
    # SET_NULL: the row stays a training row when its author's account goes.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("训练样本")
        verbose_name_plural = _("训练样本")
        constraints = [
            models.UniqueConstraint(fields=["process", "object_id"], name="example_unique_object")
        ]

    def __str__(self):
        return f"{self.process}:{self.object_id} → {self.label}"


class RouterVersion(models.Model):
    """A trained router: its figures measured on data held back from its training, and
    whether it became the current one (never when it measured worse than the current)."""

    class State(models.TextChoices):
        CURRENT = "current", _("在用")
        RETIRED = "retired", _("已替换")
        REFUSED = "refused", _("未采用")

    number = models.PositiveIntegerField(_("版本"), unique=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices)
    created_at = models.DateTimeField(_("训练时间"), auto_now_add=True)
    # SET_NULL: a version trained by a command or the demo has no person.
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("训练人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    examples = models.PositiveIntegerField(_("训练样本数"))
    labels = models.JSONField(_("分类"), default=list)
    # accuracy, macro_f1, top2_accuracy, coverage_at_precision_95, threshold, held_out,
    # and the current version's figures on the same held-back rows ("compared").
    figures = models.JSONField(_("指标"), default=dict)
    seconds = models.FloatField(_("训练用时（秒）"), default=0)
    refusal = models.TextField(_("未采用原因"), blank=True)
    # The fitted model (zhitong.insights.router), compressed, and its SHA-256: a process
    # keeps the model it loaded by this, not by the row's id (ids come back after a
    # rollback or a restore).
    blob = models.BinaryField(_("模型"), editable=False)
    digest = models.CharField(_("摘要"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("分类模型版本")
        verbose_name_plural = _("分类模型版本")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"],
                condition=models.Q(state="current"),
                name="router_one_current",
            )
        ]

    def __str__(self):
        return _("第%(n)s版") % {"n": self.number}


class Prediction(models.Model):
    """What the router proposed for one object: the best category, its confidence and the
    runners-up, by the version that proposed it."""

    process = models.CharField(_("来源"), max_length=30)
    object_id = models.CharField(_("对象编号"), max_length=40)
    # PROTECT: a version that proposed something is kept (the timeline names it).
    version = models.ForeignKey(
        RouterVersion, verbose_name=_("模型版本"), on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(_("建议分类"), max_length=20)
    confidence = models.FloatField(_("置信度"))
    # [[label, probability], ...] best first, at most three.
    ranking = models.JSONField(_("候选"), default=list)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分类建议")
        verbose_name_plural = _("分类建议")
        constraints = [
            models.UniqueConstraint(
                fields=["process", "object_id"], name="prediction_unique_object"
            )
        ]

    def __str__(self):
        return f"{self.process}:{self.object_id} → {self.label} ({self.confidence:.2f})"


class RoutingSettings(models.Model):
    """A district's auto-routing: off unless its staff turn it on, with the confidence a
    prediction needs to be routed without a person."""

    # CASCADE: the setting belongs to its district.
    district = models.OneToOneField(
        "regions.Region",
        verbose_name=_("所属区"),
        on_delete=models.CASCADE,
        related_name="routing_settings",
    )
    auto_route = models.BooleanField(_("自动分类转办"), default=False)
    threshold = models.FloatField(_("置信度门槛"), default=0.95)
    # SET_NULL: the setting outlives its author's account.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("设置时间"), auto_now=True)

    class Meta:
        verbose_name = _("自动分类设置")
        verbose_name_plural = _("自动分类设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0.5) & models.Q(threshold__lte=0.999),
                name="routing_threshold_range",
            )
        ]

    def __str__(self):
        return f"{self.district_id}: {'on' if self.auto_route else 'off'} ≥ {self.threshold}"


class TextPrint(models.Model):
    """A message's fingerprint (zhitong.insights.similarity): its most telling n-grams, to
    find messages about the same matter without reading every text again. Kept per object;
    made again when its text changes (`digest`)."""

    process = models.CharField(_("来源"), max_length=30)
    object_id = models.CharField(_("对象编号"), max_length=40)
    # SHA-256 of the title and text printed (the first of them read by the printer).
    digest = models.CharField(_("摘要"), max_length=64)
    blob = models.BinaryField(_("指纹"), editable=False)
    created_at = models.DateTimeField(_("时间"), auto_now=True)

    class Meta:
        verbose_name = _("文本指纹")
        verbose_name_plural = _("文本指纹")
        constraints = [
            models.UniqueConstraint(fields=["process", "object_id"], name="textprint_unique_object")
        ]

    def __str__(self):
        return f"{self.process}:{self.object_id}"
