"""Handling (交办 · 承办): work handed to government units, whatever the process.

A process (opinions, suggestions, inquiries, livelihood projects) keeps its own case model
with a one-to-one `case` to `Case`, the anchor that every shared table points at with a
real foreign key. An `Assignment` hands a case to a unit as lead (主办) or co-unit
(协办); its deadline follows a rule (working days or calendar months) and is kept on the
row with how it was computed. Extensions and chases hang from the assignment; replies
(a unit's on its assignment, or one given on the spot) and their ratings from the case.
Overdue is derived from the kept dates, never stored as a flag.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhitong.regions.models import Region
from zhitong.units.models import HandlingUnit


class Case(models.Model):
    """The anchor of one process's case (an opinion, a suggestion, a problem ...).

    It carries what the unit inbox shows across processes (the process, the reference a
    clerk reads out, the title) so the inbox is one query on handling's own tables.
    """

    process = models.CharField(_("业务"), max_length=30)
    # PROTECT: regions with cases are history.
    district = models.ForeignKey(
        Region, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("编号"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("办理事项")
        verbose_name_plural = _("办理事项")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["process", "reference"], name="case_process_ref")]

    def __str__(self):
        return f"{self.reference} {self.title}"


class Rule(models.TextChoices):
    """How a deadline is counted from its start (the start day itself is not counted)."""

    WORKING_DAYS = "working_days", _("工作日")
    MONTHS = "months", _("自然月")


class Assignment(models.Model):
    """A case handed to a unit (交办/转办), as lead (主办) or co-unit (协办/会办).

    `deadline` holds how the due date was computed (handling.deadlines), so the case page
    can explain it and a calendar change can redo it from the same start and period.
    """

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("协办")

    class State(models.TextChoices):
        PENDING = "pending", _("待签收")
        ACCEPTED = "accepted", _("已签收")
        RETURNED = "returned", _("已退回")
        REPLIED = "replied", _("已答复")
        WITHDRAWN = "withdrawn", _("已撤回")

    # CASCADE: assignments are parts of their case.
    case = models.ForeignKey(
        Case, verbose_name=_("办理事项"), on_delete=models.CASCADE, related_name="assignments"
    )
    # The case's district, kept here so a unit's figures and the inbox need no join.
    district = models.ForeignKey(
        Region, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    # PROTECT: a unit with assignments is deactivated, not deleted.
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    unit_name = models.CharField(_("承办单位名称"), max_length=100)
    role = models.CharField(_("承办方式"), max_length=8, choices=Role.choices, default=Role.LEAD)
    state = models.CharField(
        _("签收状态"), max_length=12, choices=State.choices, default=State.PENDING
    )
    suggested_unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("系统建议单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("交办时间"))
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    rule = models.CharField(
        _("期限规则"), max_length=12, choices=Rule.choices, default=Rule.WORKING_DAYS
    )
    # The period in the rule's unit: working days, or months.
    period = models.PositiveSmallIntegerField(_("办理期限"), default=15)
    due_date = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False)
    deadline = models.JSONField(_("期限计算说明"), default=dict, blank=True)
    # The due date for which the passing was recorded as an event (by the scheduled
    # task), so each passing is recorded once; not an "is overdue" flag.
    passing_recorded_for = models.DateField(null=True, blank=True, editable=False)
    # The first day on which a reply still owed counts as very overdue (严重超期): late by
    # as long again as was allowed in all (extensions included). Computed with due_date on
    # the same calendar and redone whenever it is; a date to compare with today.
    very_overdue_from = models.DateField(_("严重超期起始日"), null=True, blank=True, editable=False)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    # How many times the unit was chased (催办); each chase is a Chase row and an event.
    chase_count = models.PositiveSmallIntegerField(_("催办次数"), default=0)

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["case", "role", "id"]
        indexes = [
            models.Index(fields=["unit", "state", "due_date"], name="asg_unit_state_due"),
            models.Index(fields=["state", "due_date"], name="asg_state_due"),
            # The unit inbox: a unit's assignments, newest first, keyset on id.
            models.Index(fields=["unit", "-id"], name="asg_unit_inbox"),
            # Its default view, the open ones: with the index above PostgreSQL preferred
            # walking the whole table backwards by id once other units' were newer
            # (bench/bench_suggestions.py: 47 ms instead of 0.3 at 100,000 suggestions).
            models.Index(
                fields=["unit", "-id"],
                name="asg_unit_open",
                condition=models.Q(state__in=["pending", "accepted"]),
            ),
        ]

    def __str__(self):
        return f"{self.case_id} → {self.unit_name}"


class Extension(models.Model):
    """A unit's request for more time (申请延期), approved or refused by staff.

    `period` is in the assignment's rule unit (working days or months)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    # CASCADE: part of the assignment.
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="extensions"
    )
    period = models.PositiveSmallIntegerField(_("延长期限"))
    reason = models.TextField(_("延期理由"))
    state = models.CharField(
        _("审批状态"), max_length=10, choices=State.choices, default=State.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["assignment", "requested_at"]

    def __str__(self):
        return f"{self.assignment} +{self.period}"


class Chase(models.Model):
    """A chase (催办) of a unit about an assignment: recorded, notified, counted."""

    # CASCADE: part of the assignment.
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="chases"
    )
    chased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("催办人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    chased_at = models.DateTimeField(_("催办时间"))
    note = models.TextField(_("催办说明"), max_length=2000, blank=True)
    # Whether the assignment was overdue when chased (for the figures).
    was_overdue = models.BooleanField(_("催办时已超期"), default=False)

    class Meta:
        verbose_name = _("催办")
        verbose_name_plural = _("催办")
        ordering = ["assignment", "chased_at", "id"]

    def __str__(self):
        return f"{self.assignment} {self.chased_at:%Y-%m-%d}"


class Reply(models.Model):
    """A reply on a case: a unit's, on its assignment, or one given on the spot (现场答复)
    by whoever took the matter, without an assignment.

    A process that reviews replies before they reach the one who asked
    (`Process.reviews_replies`: the opinion's deputy or station) records the review here:
    who reviewed it, when it went out, and the text sent, which the reviewer may have
    edited (both are kept). Processes without a review leave those fields empty.
    """

    # CASCADE: parts of their case.
    case = models.ForeignKey(
        Case, verbose_name=_("办理事项"), on_delete=models.CASCADE, related_name="replies"
    )
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("交办"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        help_text=_("现场答复时为空。"),
    )
    # Who answered, as named then: the unit's name, or the person's on the spot.
    unit_name = models.CharField(_("答复单位"), max_length=100, blank=True)
    text = models.TextField(_("答复内容"), max_length=10000)
    on_the_spot = models.BooleanField(_("现场答复"), default=False)
    # A process's own classes (suggestions: A/B/C/D); empty when the process has none.
    result_class = models.CharField(_("答复类别"), max_length=4, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("答复时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    text_sent = models.TextField(_("反馈内容"), blank=True)

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["case", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(on_the_spot=False) | models.Q(assignment__isnull=True),
                name="handling_reply_on_the_spot_unassigned",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.unit_name} {self.created_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        # A unit's reply belongs to its assignment's case, whoever made the row.
        if self.case_id is None and self.assignment_id is not None:
            self.case_id = Assignment.objects.values_list("case_id", flat=True).get(
                pk=self.assignment_id
            )
        super().save(*args, **kwargs)


class Rating(models.Model):
    """A rating of a reply. Back-to-back (背靠背) ratings never show the rater to the unit.

    `case` is the reply's, kept here so the figures count a case's ratings without a join
    through the replies."""

    class Score(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")
        # Nobody rated a sent reply within the days the process allows: closed as if
        # satisfied (默认满意), counted apart from those who said they were satisfied.
        DEFAULT = "default", _("默认满意")

    class Method(models.TextChoices):
        # By the rater themself (a citizen with the key only they received, a deputy).
        ONLINE = "online", _("网上评价")
        # Taken from the rater by a handler (回访): the handler's own act, named.
        PHONE = "phone", _("电话回访")
        IN_PERSON = "in_person", _("当面回访")
        # Nobody rated in time: the system closed it (默认满意), nobody's act.
        AUTO = "auto", _("逾期未评价")

    # CASCADE: parts of their case and reply.
    case = models.ForeignKey(
        Case, verbose_name=_("办理事项"), on_delete=models.CASCADE, related_name="ratings"
    )
    reply = models.OneToOneField(
        Reply, verbose_name=_("答复"), on_delete=models.CASCADE, related_name="rating"
    )
    score = models.CharField(_("评价"), max_length=12, choices=Score.choices)
    comment = models.TextField(_("评价意见"), max_length=2000, blank=True)
    method = models.CharField(
        _("评价方式"), max_length=12, choices=Method.choices, default=Method.ONLINE
    )
    # Who rated (null for an anonymous citizen) and who took it by phone or in person.
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    back_to_back = models.BooleanField(_("背靠背评价"), default=False)
    # Further scores where the process rates on several axes (suggestions: the unit's
    # attitude, 态度), each a given score; `score` is the one the figures count (the result).
    # (Null in rows copied by opinions' set-based migration, which names no such column.)
    aspects = models.JSONField(_("分项评价"), default=dict, blank=True, null=True)
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        verbose_name = _("办理评价")
        verbose_name_plural = _("办理评价")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method__in=["online", "auto"], taken_by__isnull=True)
                | (~models.Q(method__in=["online", "auto"]) & models.Q(taken_by__isnull=False)),
                name="handling_rating_taken_by_for_callbacks",
            ),
            # The default score is only ever the system's, and the system gives no other.
            models.CheckConstraint(
                condition=models.Q(method="auto", score="default")
                | (~models.Q(method="auto") & ~models.Q(score="default")),
                name="handling_rating_default_by_the_system",
            ),
        ]

    def __str__(self):
        return f"{self.reply} {self.get_score_display()}"

    def save(self, *args, **kwargs):
        # A rating belongs to its reply's case, whoever made the row.
        if self.case_id is None and self.reply_id is not None:
            self.case_id = Reply.objects.values_list("case_id", flat=True).get(pk=self.reply_id)
        super().save(*args, **kwargs)


# The scores a person gives (online or on a callback); the default one is the system's.
GIVEN_SCORES = (Rating.Score.SATISFIED, Rating.Score.BASICALLY, Rating.Score.UNSATISFIED)
GIVEN_SCORE_CHOICES = [(score.value, score.label) for score in GIVEN_SCORES]


class CaseMixin(models.Model):
    """What each process's case model carries for handling: its anchor, and copies of the
    running lead assignment's due and very-overdue dates (kept by
    handling.services.sync_open_dates) so each queue's overdue filters stay one index range.
    """

    case = models.OneToOneField(
        Case,
        verbose_name=_("办理事项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    open_due_date = models.DateField(_("办理期限（未答复）"), null=True, blank=True, editable=False)
    open_very_overdue_from = models.DateField(
        _("严重超期起始日（未答复）"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True


def link_case_model(
    model, *, name: str, related_name: str, replies: str = "", ratings: str = ""
) -> None:
    """Let the ORM join a process's case model and its assignments directly.

    Called by the process (which sits above handling) right after its case model: it adds
    `Assignment.<name>` (the case object) and `<model>.<related_name>` (its assignments)
    through the shared `case` column, without a join on `Case` and without a column or a
    migration here (a private field, like a generic foreign key), so handling's schema
    never names a process. With `replies` and `ratings` it does the same for the case's
    replies (`Reply.<name>`, `<model>.<replies>`) and ratings.
    """
    for target, reverse in ((Assignment, related_name), (Reply, replies), (Rating, ratings)):
        if not reverse:
            continue
        field = models.ForeignObject(
            model,
            on_delete=models.DO_NOTHING,
            from_fields=["case"],
            to_fields=["case"],
            related_name=reverse,
            null=True,
        )
        field.contribute_to_class(target, name, private_only=True)
