"""Deputies' suggestions (代表建议): 提 交 办 督 评.

A lead deputy (领衔代表) drafts a suggestion with co-signers (联名), submits it during the
congress session (大会期间) or in recess (闭会期间); the street committee and then the
district review it (阅看); staff register and number it per session, propose a lead unit
(主办) and co-units (协办), and the government office confirms the assignment (交办). From
there the `zhitong.handling` machinery carries it: the assignment and its deadline in
calendar months, signing or refusing, extension, chase, reply with a result class
(A/B/C/D), the deputy's back-to-back rating. What is the suggestion's own stays here: the
drafting, co-signing, review, numbering, contact before replying (办前沟通), the commitment
ledger (答复承诺解决事项台账), the key suggestions' supervision (领衔督办), the reception day
(主任接待日), the committees' subjects (专工委对口) and the quality review (质量评审).
"""

import hashlib
import os

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.deputies.models import Deputy, Term, chinese_number
from zhitong.handling.models import Assignment, CaseMixin, Reply, link_case_model
from zhitong.regions.models import Region
from zhitong.units.models import Category, HandlingUnit

TITLE_LIMIT = 100
CONTENT_LIMIT = 10000
NOTE_LIMIT = 2000


class CongressSession(models.Model):
    """One session (次会议) of a term of the district's congress, e.g. 第十六届人民代表大会第四次
    会议. Suggestions belong to a session: those raised while it sits (大会期间), and those
    raised in the recess after it (闭会期间), numbered in two series."""

    term = models.ForeignKey(
        Term, verbose_name=_("届次"), on_delete=models.PROTECT, related_name="sessions"
    )
    # The district whose congress it is (the term's region), kept for scoping.
    district = models.ForeignKey(
        Region, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveSmallIntegerField(_("会议次数"))
    opens_on = models.DateField(_("开幕日期"))
    closes_on = models.DateField(_("闭幕日期"))

    class Meta:
        verbose_name = _("人代会会议")
        verbose_name_plural = _("人代会会议")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="session_unique_number"),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="session_closes_after_opening",
            ),
        ]

    def __str__(self):
        return _("第%(term)s届人民代表大会第%(number)s次会议") % {
            "term": chinese_number(self.term.number),
            "number": chinese_number(self.number),
        }

    @property
    def short_name(self) -> str:
        """第16届4次会议, as numbers are written."""
        return _("第%(term)s届%(number)s次会议") % {
            "term": self.term.number,
            "number": self.number,
        }


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    STREET_REVIEW = "street_review", _("待街道阅看")
    DISTRICT_REVIEW = "district_review", _("待区人大阅看")
    RETURNED = "returned", _("退回修改")
    REVIEWED = "reviewed", _("待立案")
    REGISTERED = "registered", _("已立案待交办")
    ASSIGNED = "assigned", _("已交办")
    HANDLING = "handling", _("办理中")
    REPLIED = "replied", _("已答复待评价")
    REHANDLING = "rehandling", _("重新办理")
    CARRYING_OUT = "carrying_out", _("承诺落实中")
    CLOSED = "closed", _("已办结")
    CONVERTED = "converted", _("已转为意见办理")
    WITHDRAWN = "withdrawn", _("已撤回")


class Kind(models.TextChoices):
    SUGGESTION = "suggestion", _("建议")
    CRITICISM = "criticism", _("批评和意见")


class Suggestion(CaseMixin):
    Status = Status
    Kind = Kind

    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("内容"), blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    kind = models.CharField(_("性质"), max_length=12, choices=Kind.choices, default=Kind.SUGGESTION)
    # PROTECT: a deputy's suggestions are part of their record.
    lead_deputy = models.ForeignKey(
        Deputy, verbose_name=_("领衔代表"), on_delete=models.PROTECT, related_name="suggestions"
    )
    district = models.ForeignKey(
        Region, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    # The street whose working committee reviews it first (the lead deputy's street group);
    # none: it goes straight to the district's review.
    street = models.ForeignKey(
        Region,
        verbose_name=_("阅看街道"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    session = models.ForeignKey(
        CongressSession,
        verbose_name=_("所属会议"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    # Raised while the session sits (大会期间), or in the recess after it (闭会期间).
    during_session = models.BooleanField(_("大会期间提出"), default=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # The draft's version: one more each time it is submitted again after a return.
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    # The registration number within its session and series (第16届4次会议第12号).
    number = models.PositiveIntegerField(_("编号"), null=True, blank=True)
    # Proposed by staff at registration, confirmed at the assignment meeting (交办会).
    proposed_lead = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("拟主办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_co_units = models.ManyToManyField(
        HandlingUnit, verbose_name=_("拟协办单位"), blank=True, related_name="+"
    )
    is_key = models.BooleanField(_("重点督办"), default=False)
    # The member of the directors' meeting who leads its supervision (领衔督办).
    key_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("领衔督办领导"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # How many times it was reassigned after a unit refused it.
    reassign_count = models.PositiveSmallIntegerField(_("改派次数"), default=0)
    # How many times it was handled again after an unsatisfied rating.
    rehandle_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    # The opinions it was raised from; the link is kept both ways.
    source_opinions = models.ManyToManyField(
        "opinions.Opinion", verbose_name=_("来源意见"), blank=True, related_name="suggestions"
    )
    # A reviewer sent it to the opinions' handling instead (转为意见办理).
    converted_opinion = models.ForeignKey(
        "opinions.Opinion",
        verbose_name=_("转为的意见"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="converted_from",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("代表建议")
        verbose_name_plural = _("代表建议")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "during_session", "number"],
                name="suggestion_unique_number",
                condition=models.Q(number__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(number__isnull=True) | models.Q(session__isnull=False),
                name="suggestion_number_in_session",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "status", "-id"], name="sugg_district_status"),
            models.Index(fields=["status", "street"], name="sugg_status_street"),
            models.Index(fields=["open_due_date"], name="sugg_open_due"),
            # The staff queue's order (number, unnumbered last, then id) within a district:
            # its first page reads 50 index entries, not a sort of the whole table. (An
            # ascending PostgreSQL index puts nulls last already; SQLite cannot say so.)
            models.Index(fields=["district", "number", "id"], name="sugg_district_number"),
        ]

    def __str__(self):
        return self.title

    @property
    def reference(self) -> str:
        """The number as it is read out: 第16届4次会议第12号 (闭会期间第3号), or "" unnumbered."""
        if self.number is None or self.session is None:
            return ""
        series = "" if self.during_session else str(_("闭会期间"))
        return _("%(session)s%(series)s第%(number)s号") % {
            "session": self.session.short_name,
            "series": series,
            "number": self.number,
        }


link_case_model(
    Suggestion,
    name="suggestion",
    related_name="suggestion_assignments",
    replies="suggestion_replies",
    ratings="suggestion_ratings",
)


class CoSigner(models.Model):
    """A deputy invited to co-sign (联名) a suggestion, who accepts or declines."""

    class State(models.TextChoices):
        INVITED = "invited", _("待确认")
        ACCEPTED = "accepted", _("已联名")
        DECLINED = "declined", _("已谢绝")
        LAPSED = "lapsed", _("已失效")

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("代表建议"), on_delete=models.CASCADE, related_name="cosigners"
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name=_("联名代表"), on_delete=models.PROTECT, related_name="cosigned"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.INVITED)
    invited_at = models.DateTimeField(_("邀请时间"))
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("联名代表")
        verbose_name_plural = _("联名代表")
        ordering = ["suggestion", "invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "deputy"], name="cosigner_once")
        ]

    def __str__(self):
        return f"{self.suggestion_id} {self.deputy}"


class Version(models.Model):
    """The text of a suggestion as submitted, once per submission (versions kept)."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("代表建议"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("内容"))
    category_name = models.CharField(_("类别"), max_length=50, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("建议版本")
        verbose_name_plural = _("建议版本")
        ordering = ["suggestion", "number"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "number"], name="version_once")
        ]

    def __str__(self):
        return f"{self.suggestion_id} v{self.number}"


class Review(models.Model):
    """A review before filing (阅看): the street committee's, then the district's, with the
    checklist and comments, on one version."""

    class Level(models.TextChoices):
        STREET = "street", _("街道人大工委阅看")
        DISTRICT = "district", _("区人大阅看")

    class Outcome(models.TextChoices):
        PASS = "pass", _("通过")
        RETURN = "return", _("退回修改")
        CONVERT = "convert", _("转为意见办理")

    # The checklist (each true when it holds).
    CHECKS = (
        ("lawful", _("合规")),
        ("single_matter", _("一事一议")),
        ("feasible", _("现实可行")),
        ("well_written", _("文书规范")),
    )

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("代表建议"), on_delete=models.CASCADE, related_name="reviews"
    )
    level = models.CharField(_("阅看层级"), max_length=10, choices=Level.choices)
    version = models.PositiveSmallIntegerField(_("版本"))
    outcome = models.CharField(_("阅看结果"), max_length=10, choices=Outcome.choices)
    checks = models.JSONField(_("审查要点"), default=dict, blank=True)
    comment = models.TextField(_("阅看意见"), max_length=NOTE_LIMIT, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("阅看人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("阅看时间"))

    class Meta:
        verbose_name = _("阅看")
        verbose_name_plural = _("阅看")
        ordering = ["suggestion", "reviewed_at", "id"]

    def __str__(self):
        return f"{self.suggestion_id} {self.get_level_display()} {self.get_outcome_display()}"


def file_path(instance, filename):
    # Random names: the original name is kept in a field, never in the path.
    return f"suggestions/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class File(models.Model):
    """A file of a suggestion: on the draft (its attachments), on a unit's reply (the
    signed letter), or evidence that a commitment was carried out."""

    class Purpose(models.TextChoices):
        DRAFT = "draft", _("建议附件")
        REPLY = "reply", _("答复函")
        EVIDENCE = "evidence", _("落实佐证")

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("代表建议"), on_delete=models.CASCADE, related_name="files"
    )
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    reply = models.ForeignKey(
        Reply,
        verbose_name=_("答复"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="suggestion_files",
    )
    commitment = models.ForeignKey(
        "Commitment",
        verbose_name=_("承诺事项"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
    )
    file = models.FileField(_("文件"), upload_to=file_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    extension = models.CharField(max_length=10)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("建议附件")
        verbose_name_plural = _("建议附件")
        ordering = ["suggestion", "created_at", "id"]

    def __str__(self):
        return self.original_name

    @staticmethod
    def digest(content: bytes) -> str:
        return hashlib.sha256(content).hexdigest()

    @staticmethod
    def extension_of(name: str) -> str:
        return os.path.splitext(name)[1].lower()[:10]


class Contact(models.Model):
    """The unit's contact with the deputy before replying (办前沟通)."""

    class Method(models.TextChoices):
        VISIT = "visit", _("当面走访")
        MEETING = "meeting", _("座谈会商")
        SITE = "site", _("现场察看")
        PHONE = "phone", _("电话沟通")
        OTHER = "other", _("其他方式")

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("代表建议"), on_delete=models.CASCADE, related_name="contacts"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="+"
    )
    contacted_at = models.DateTimeField(_("沟通时间"))
    method = models.CharField(_("沟通方式"), max_length=10, choices=Method.choices)
    note = models.TextField(_("沟通情况"), max_length=NOTE_LIMIT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("办前沟通")
        verbose_name_plural = _("办前沟通")
        ordering = ["suggestion", "contacted_at", "id"]

    def __str__(self):
        return f"{self.suggestion_id} {self.contacted_at:%Y-%m-%d}"


class Commitment(models.Model):
    """A dated commitment of a reply (答复承诺解决事项), followed in the ledger until the unit
    reports it done with evidence and staff verify it (答复型 → 落实型)."""

    class State(models.TextChoices):
        OPEN = "open", _("落实中")
        REPORTED = "reported", _("已报告待核实")
        VERIFIED = "verified", _("已核实办结")

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("代表建议"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    reply = models.ForeignKey(
        Reply, verbose_name=_("答复"), on_delete=models.CASCADE, related_name="commitments"
    )
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="suggestion_commitments",
    )
    # The district and the street the ledger files it under (the suggestion's).
    district = models.ForeignKey(
        Region, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        Region,
        verbose_name=_("所属街道"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    text = models.TextField(_("承诺事项"), max_length=NOTE_LIMIT)
    due_date = models.DateField(_("承诺完成时间"))
    state = models.CharField(_("落实状态"), max_length=10, choices=State.choices, default="open")
    report = models.TextField(_("落实情况"), max_length=NOTE_LIMIT, blank=True)
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verify_note = models.TextField(_("核实意见"), max_length=NOTE_LIMIT, blank=True)
    # The due date for which the passing was recorded (by the scheduled task), so each
    # passing is recorded once; not an "is overdue" flag.
    passing_recorded_for = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")
        ordering = ["suggestion", "position", "id"]
        indexes = [
            models.Index(fields=["district", "state", "due_date"], name="commit_district_due"),
            models.Index(fields=["unit", "state", "due_date"], name="commit_unit_due"),
        ]

    def __str__(self):
        return f"{self.suggestion_id}-{self.position} {self.text[:20]}"


class SupervisionActivity(models.Model):
    """A supervision activity on a key suggestion (领衔督办): a meeting, a site visit."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("督办座谈")
        SITE_VISIT = "site_visit", _("实地察看")
        RECEPTION = "reception", _("主任接待日")
        OTHER = "other", _("其他")

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("代表建议"),
        on_delete=models.CASCADE,
        related_name="supervision",
    )
    kind = models.CharField(_("督办方式"), max_length=12, choices=Kind.choices)
    held_on = models.DateField(_("日期"))
    note = models.TextField(_("督办情况"), max_length=NOTE_LIMIT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("督办活动")
        verbose_name_plural = _("督办活动")
        ordering = ["suggestion", "held_on", "id"]

    def __str__(self):
        return f"{self.suggestion_id} {self.held_on} {self.get_kind_display()}"


class ReceptionDay(models.Model):
    """A monthly reception day (主任接待日): one director takes 10–15 suggestions face to
    face with the units and deputies."""

    class State(models.TextChoices):
        PLANNED = "planned", _("筹备中")
        HELD = "held", _("已举行")

    district = models.ForeignKey(
        Region, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("接待日期"))
    director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接待领导"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("地点"), max_length=100, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PLANNED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("主任接待日")
        verbose_name_plural = _("主任接待日")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {_('主任接待日')}"


class ReceptionItem(models.Model):
    """A suggestion on a reception day's agenda, and what came of it."""

    day = models.ForeignKey(
        ReceptionDay, verbose_name=_("主任接待日"), on_delete=models.CASCADE, related_name="items"
    )
    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("代表建议"),
        on_delete=models.PROTECT,
        related_name="reception_items",
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    # Why the platform proposed it (overdue, unsatisfied, key, oldest commitment).
    reason = models.CharField(_("列入理由"), max_length=100, blank=True)
    outcome = models.TextField(_("现场督办情况"), max_length=NOTE_LIMIT, blank=True)
    outcome_recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接待日议程")
        verbose_name_plural = _("接待日议程")
        ordering = ["day", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["day", "suggestion"], name="reception_item_once")
        ]

    def __str__(self):
        return f"{self.day_id} #{self.position} {self.suggestion_id}"


class Committee(models.Model):
    """A special or working committee (专门委员会/工作委员会) that follows the suggestions of
    its subjects (专工委对口)."""

    district = models.ForeignKey(
        Region, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    categories = models.ManyToManyField(
        Category, verbose_name=_("对口类别"), blank=True, related_name="+"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("专工委")
        verbose_name_plural = _("专工委")
        ordering = ["district", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="committee_unique_name")
        ]

    def __str__(self):
        return self.name


class QualityReview(models.Model):
    """A quality review (质量评审) of a suggestion's handling on three axes, twice: after the
    reply, and after its commitments fall due."""

    class Round(models.IntegerChoices):
        AFTER_REPLY = 1, _("答复后评审")
        AFTER_COMMITMENTS = 2, _("承诺到期后评审")

    class Grade(models.TextChoices):
        GOOD = "good", _("好")
        FAIR = "fair", _("较好")
        POOR = "poor", _("差")

    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("代表建议"),
        on_delete=models.CASCADE,
        related_name="quality_reviews",
    )
    round = models.PositiveSmallIntegerField(_("评审轮次"), choices=Round.choices)
    compliance = models.CharField(_("合规"), max_length=6, choices=Grade.choices)
    writing = models.CharField(_("文书"), max_length=6, choices=Grade.choices)
    effect = models.CharField(_("效果"), max_length=6, choices=Grade.choices)
    comment = models.TextField(_("评审意见"), max_length=NOTE_LIMIT, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评审人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("评审时间"))

    class Meta:
        verbose_name = _("质量评审")
        verbose_name_plural = _("质量评审")
        ordering = ["suggestion", "round"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "round"], name="quality_review_once")
        ]

    def __str__(self):
        return f"{self.suggestion_id} {self.get_round_display()}"


class QualityProblem(models.Model):
    """A problem a quality review found, for the unit to answer (质量评审反馈问题清单)."""

    review = models.ForeignKey(
        QualityReview, verbose_name=_("质量评审"), on_delete=models.CASCADE, related_name="problems"
    )
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="suggestion_problems",
    )
    axis = models.CharField(_("方面"), max_length=12)
    text = models.TextField(_("问题"), max_length=NOTE_LIMIT)
    answer = models.TextField(_("整改情况"), max_length=NOTE_LIMIT, blank=True)
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("评审问题")
        verbose_name_plural = _("评审问题")
        ordering = ["review", "id"]
        indexes = [models.Index(fields=["unit", "answered_at"], name="quality_problem_unit")]

    def __str__(self):
        return self.text[:30]


class DistrictSettings(models.Model):
    """A district's rules for its suggestions, kept by its staff (建议办理设置); the defaults
    are the common rules (3 months to reply, co-units 1 month, at most 3 more months, 7
    working days to refuse, 1 month to handle again)."""

    district = models.OneToOneField(
        Region,
        verbose_name=_("所属区"),
        on_delete=models.CASCADE,
        related_name="suggestion_settings",
    )
    reply_months = models.PositiveSmallIntegerField(_("答复期限（月）"), default=3)
    co_unit_months = models.PositiveSmallIntegerField(_("协办意见期限（月）"), default=1)
    max_extension_months = models.PositiveSmallIntegerField(_("最长延期（月）"), default=3)
    refuse_working_days = models.PositiveSmallIntegerField(_("退回期限（工作日）"), default=7)
    rehandle_months = models.PositiveSmallIntegerField(_("重新办理期限（月）"), default=1)
    # The government office (区政府办公室) whose accounts confirm assignments (交办).
    government_office = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("政府办公室"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("建议办理设置")
        verbose_name_plural = _("建议办理设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reply_months__gte=1, reply_months__lte=12)
                & models.Q(co_unit_months__gte=1, co_unit_months__lte=6)
                & models.Q(max_extension_months__lte=6)
                & models.Q(refuse_working_days__gte=1, refuse_working_days__lte=30)
                & models.Q(rehandle_months__gte=1, rehandle_months__lte=6),
                name="suggestion_settings_bounded",
            )
        ]

    def __str__(self):
        return str(self.district)
