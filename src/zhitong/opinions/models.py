"""Opinions (群众意见建议): what citizens raise and where it was referred.

The life of an opinion is in `Opinion.Status` and the transition table in
`opinions/lifecycle.py`; every change goes through `opinions/services.py`, which writes
an event. Referrals (转办), replies (答复, with their review) and ratings are
zhitong.handling rows of the opinion's case; deadlines are counted in working days;
"overdue" is derived from the stored due date.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhitong.deputies.models import Deputy
from zhitong.handling.models import Case, CaseMixin, Reply, link_case_model
from zhitong.regions.models import Region
from zhitong.stations.models import Station
from zhitong.units.models import Category


class Channel(models.TextChoices):
    STATION_VISIT = "station_visit", _("联络站接待")
    QR_DEPUTY = "qr_deputy", _("代表二维码")
    QR_STATION = "qr_station", _("站点二维码")
    ONLINE = "online", _("掌上直通车")
    BOX = "box", _("代表听你说意见箱")
    EVENT = "event", _("活动收集")
    IMPORT = "import", _("线下台账导入")
    # A reviewer of a deputy's suggestion sent it to the opinions' handling (转为意见办理).
    SUGGESTION = "suggestion", _("代表建议转入")


class Status(models.TextChoices):
    RECEIVED = "received", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    DECLINED = "declined", _("不予受理")
    REFERRED = "referred", _("已转办")
    HANDLING = "handling", _("办理中")
    REPLIED = "replied", _("已答复")
    SENT = "sent", _("已反馈")
    CLOSED = "closed", _("已办结")
    CLOSED_UNSATISFIED = "closed_unsatisfied", _("办结（不满意）")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = [
    Status.RECEIVED,
    Status.ACCEPTED,
    Status.REFERRED,
    Status.HANDLING,
    Status.REPLIED,
    Status.SENT,
]
CLOSED_STATUSES = [Status.CLOSED, Status.CLOSED_UNSATISFIED]


class DeclineReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("不属于受理范围")
    DUPLICATE = "duplicate", _("重复反映")
    ABUSIVE = "abusive", _("内容不当")


class IntakeSession(models.Model):
    """An event where many opinions are taken at once (半月谈, 夜话, 直播间, 接待日)."""

    class Kind(models.TextChoices):
        HALF_MONTH_TALK = "half_month_talk", _("代表半月谈")
        NIGHT_TALK = "night_talk", _("代表夜话")
        LIVESTREAM = "livestream", _("直播间")
        RECEPTION = "reception", _("集中接待")
        OTHER = "other", _("其他活动")

    kind = models.CharField(_("活动类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("活动名称"), max_length=200)
    held_on = models.DateField(_("活动日期"))
    # PROTECT: sessions are history of a station.
    station = models.ForeignKey(
        Station,
        verbose_name=_("站点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intake_sessions",
    )
    district = models.ForeignKey(
        Region, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="+"
    )
    deputies = models.ManyToManyField(Deputy, verbose_name=_("参加代表"), blank=True)
    # PROTECT: accounts that recorded something are deactivated, not deleted.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收集活动")
        verbose_name_plural = _("收集活动")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class Opinion(CaseMixin):
    """One matter a citizen raised. Personal data (name, phone, e-mail, address) is shown
    masked except to those handling the case, and never written to logs."""

    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True)
    subject = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("内容"), max_length=5000)
    # PROTECT: categories in use are deactivated, not deleted.
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinions",
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    # Where the matter is: the community (or street) it concerns, and a free address.
    place = models.ForeignKey(
        Region,
        verbose_name=_("所在社区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("详细地点"), max_length=200, blank=True)
    # Scoping: the district owns the opinion (and is the sharding key); the street is
    # denormalized for filters and street staff.
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
    # Addressed to a station and/or a deputy (QR code, visit); PROTECT keeps history.
    station = models.ForeignKey(
        Station,
        verbose_name=_("站点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinions",
    )
    deputy = models.ForeignKey(
        Deputy,
        verbose_name=_("代表"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinions",
    )
    intake_session = models.ForeignKey(
        IntakeSession,
        verbose_name=_("收集活动"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinions",
    )
    # The submitter: all optional, an anonymous submitter follows by tracking code.
    submitter_name = models.CharField(_("反映人姓名"), max_length=50, blank=True)
    submitter_phone = models.CharField(_("反映人电话"), max_length=20, blank=True)
    submitter_email = models.EmailField(_("反映人邮箱"), blank=True)
    # Set when staff, a deputy or a liaison recorded it; null for the public form.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The citizen's (or enterprise's) account when they sent the public form signed in: it
    # lists the opinion on their home page. SET_NULL: a closed account leaves the opinion,
    # which staff still handle, followed by its tracking code.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A one-time token from the form, so a double submit or a retry creates one opinion.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"), db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decline_reason = models.CharField(
        _("不予受理原因"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.TextField(_("不予受理说明"), blank=True)
    # Merge (合并): the duplicate follows its main opinion. PROTECT: a main opinion
    # with duplicates cannot be deleted from under them.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    # How many times an unsatisfied rating sent it back to the unit (at most once).
    returned_for_rework = models.PositiveSmallIntegerField(_("不满意退回次数"), default=0)
    # Staff-only notes; never shown to the submitter.
    internal_note = models.TextField(_("内部备注"), blank=True)
    # Segmented words of subject and content for full-text search (filled by services).
    search_text = models.TextField(editable=False, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")
        ordering = ["-received_at", "-id"]
        indexes = [
            # Queue: newest first within scope, keyset on (received_at, id).
            models.Index(fields=["district", "-received_at", "-id"], name="op_district_recv"),
            models.Index(fields=["district", "status", "-received_at"], name="op_district_status"),
            models.Index(fields=["street", "-received_at"], name="op_street_recv"),
            # Opinions nearby, newest first (duplicates: the same community's open ones).
            models.Index(fields=["place", "-received_at"], name="op_place_recv"),
            models.Index(fields=["station", "-received_at"], name="op_station_recv"),
            models.Index(fields=["deputy", "-received_at"], name="op_deputy_recv"),
            models.Index(fields=["category", "-received_at"], name="op_category_recv"),
            models.Index(fields=["channel", "-received_at"], name="op_channel_recv"),
            # Overdue filter (超期) and the due-date order (most overdue first), keyset on
            # (open_due_date, id): due dates before today within a district.
            models.Index(fields=["district", "open_due_date", "id"], name="op_district_open_due"),
            # The due-date order for queues not confined to one district (a unit's, a
            # deputy's, the whole city's); only opinions whose lead unit owes a reply.
            models.Index(
                fields=["open_due_date", "id"],
                name="op_open_due",
                condition=models.Q(open_due_date__isnull=False),
            ),
            # Very overdue filter (严重超期), whatever the order.
            models.Index(
                fields=["district", "open_very_overdue_from"], name="op_district_very_overdue"
            ),
        ]

    def __str__(self):
        return f"{self.tracking_code} {self.subject}"

    def save(self, *args, **kwargs):
        # Every opinion has its handling case from the start, whatever path made it, so
        # `opinion.referrals` and the unit inbox never wait on a case made later.
        if self._state.adding and self.case_id is None:
            attach_cases([self])
        super().save(*args, **kwargs)


def attach_cases(opinions) -> None:
    """Give new opinions their handling cases (one INSERT for them all), before they are
    saved or bulk-created."""
    new = [opinion for opinion in opinions if opinion.case_id is None]
    cases = Case.objects.bulk_create(
        Case(
            process="opinions",
            district_id=opinion.district_id,
            reference=opinion.tracking_code,
            title=opinion.subject[:200],
            created_at=opinion.received_at,
        )
        for opinion in new
    )
    for opinion, case in zip(new, cases, strict=True):
        opinion.case = case


# An opinion's assignments are its referrals (转办): `opinion.referrals`, `referral.opinion`.
# Its replies and their ratings are handling's too: `opinion.replies`, `opinion.ratings`.
link_case_model(
    Opinion, name="opinion", related_name="referrals", replies="replies", ratings="ratings"
)


def attachment_path(instance, filename):
    # Random names: the original name is kept in a field, never in the path.
    return f"opinions/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    """A photo or document: on an opinion (the citizen's photos) or on a reply."""

    # CASCADE: attachments are parts of their opinion or reply.
    opinion = models.ForeignKey(
        Opinion,
        verbose_name=_("意见建议"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    reply = models.ForeignKey(
        Reply,
        verbose_name=_("答复"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    extension = models.CharField(max_length=10)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opinion__isnull=False) | models.Q(reply__isnull=False),
                name="attachment_has_owner",
            )
        ]

    def __str__(self):
        return self.original_name


# How many working days after a reply reached the citizen an unrated opinion closes by
# itself (默认满意), unless its district's staff set another number.
AUTO_CLOSE_DEFAULT = 10
AUTO_CLOSE_MAX = 60


class DistrictSettings(models.Model):
    """A district's rules for its opinions, kept by its staff (意见办理设置)."""

    district = models.OneToOneField(
        Region,
        verbose_name=_("所属区"),
        on_delete=models.CASCADE,
        related_name="opinion_settings",
    )
    auto_close_working_days = models.PositiveSmallIntegerField(
        _("逾期未评价自动办结（工作日）"),
        default=AUTO_CLOSE_DEFAULT,
        help_text=_(
            "答复反馈给群众后，超过这么多个工作日无人评价（网上评价或回访），系统按“默认满意”"
            "办结，统计时单列，不计入满意；填 0 表示不自动办结。"
        ),
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("意见办理设置")
        verbose_name_plural = _("意见办理设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(auto_close_working_days__lte=AUTO_CLOSE_MAX),
                name="opinions_settings_auto_close_bounded",
            )
        ]

    def __str__(self):
        return str(self.district)


def auto_close_days(district_id: int | None) -> int:
    """The working days after which the district's unrated opinions close by themselves."""
    if district_id is None:
        return AUTO_CLOSE_DEFAULT
    value = (
        DistrictSettings.objects.filter(district_id=district_id)
        .values_list("auto_close_working_days", flat=True)
        .first()
    )
    return AUTO_CLOSE_DEFAULT if value is None else value
