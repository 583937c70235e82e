"""Deputies (人大代表): persons, their seats per level (Popolo memberships), and groups."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhitong.regions.models import Region


class DeputyLevel(models.TextChoices):
    NATIONAL = "national", _("全国人大代表")
    PROVINCIAL = "provincial", _("省人大代表")
    CITY = "city", _("市人大代表")
    DISTRICT = "district", _("区人大代表")
    TOWNSHIP = "township", _("乡镇人大代表")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Term(models.Model):
    """One term (届) of the congress of a region, e.g. 武昌区第十七届人民代表大会."""

    # PROTECT: terms are history.
    region = models.ForeignKey(
        Region, verbose_name=_("人大所在区划"), on_delete=models.PROTECT, related_name="terms"
    )
    level = models.CharField(_("层级"), max_length=16, choices=DeputyLevel.choices)
    number = models.PositiveSmallIntegerField(_("届次"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("届次")
        verbose_name_plural = _("届次")
        ordering = ["region__path", "level", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["region", "level", "number"], name="term_unique")
        ]

    def __str__(self):
        number = chinese_number(self.number)
        if self.level == DeputyLevel.NATIONAL:
            # National deputies are elected by a provincial congress; the term is the NPC's.
            return f"第{number}届全国人民代表大会"
        return f"{self.region.name}第{number}届人民代表大会"


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals, as terms are written (第十七届)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


class DeputyQuerySet(models.QuerySet):
    def in_district(self, region: Region):
        return self.filter(district__path__startswith=region.path)

    def serving(self, on=None):
        on = on or timezone.localdate()
        return self.filter(
            Q(memberships__status=MembershipStatus.SERVING)
            & Q(memberships__start_date__lte=on)
            & (Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=on))
        ).distinct()


class Deputy(models.Model):
    """A person who holds (or held) a seat in one or more congresses."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default=_("汉族"))
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    party = models.CharField(_("政治面貌"), max_length=30, blank=True)
    occupation = models.CharField(_("工作单位及职务"), max_length=200, blank=True)
    # Private: shown to staff only, never on public pages.
    mobile = models.CharField(_("手机号（不公开）"), max_length=20, blank=True)
    id_number_tail = models.CharField(
        _("身份证后四位（不公开）"),
        max_length=4,
        blank=True,
        help_text=_("用于导入时识别同名代表。"),
    )
    # The district whose deputy directory lists this person; scoping and sharding key.
    district = models.ForeignKey(
        Region, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="deputies"
    )
    # Stable public identifier for URLs and QR codes (一码一代表); never reused.
    public_code = models.CharField(_("公开编码"), max_length=12, unique=True)
    # SET_NULL: removing a login must not remove the deputy's record.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputy",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = DeputyQuerySet.as_manager()

    class Meta:
        verbose_name = _("人大代表")
        verbose_name_plural = _("人大代表")
        ordering = ["district__path", "name", "id"]
        indexes = [models.Index(fields=["district", "name"])]

    def __str__(self):
        return self.name


class MembershipStatus(models.TextChoices):
    SERVING = "serving", _("在任")
    RESIGNED = "resigned", _("辞职")
    RECALLED = "recalled", _("罢免")
    TERMINATED = "terminated", _("资格终止")


class DeputyMembership(models.Model):
    """A seat held at one level in one term (the Popolo Membership of a Post)."""

    # CASCADE: a membership is part of the deputy's record.
    deputy = models.ForeignKey(
        Deputy, verbose_name=_("代表"), on_delete=models.CASCADE, related_name="memberships"
    )
    # PROTECT: terms are history.
    term = models.ForeignKey(
        Term, verbose_name=_("届次"), on_delete=models.PROTECT, related_name="memberships"
    )
    level = models.CharField(_("层级"), max_length=16, choices=DeputyLevel.choices)
    constituency = models.CharField(_("选区/选举单位"), max_length=100)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.SERVING
    )

    class Meta:
        verbose_name = _("代表资格")
        verbose_name_plural = _("代表资格")
        ordering = ["deputy", "level"]
        constraints = [
            models.UniqueConstraint(fields=["deputy", "term"], name="membership_once_per_term")
        ]

    def __str__(self):
        return f"{self.deputy} · {self.get_level_display()}"


class GroupKind(models.TextChoices):
    STREET = "street", _("街道代表小组")
    CITY = "city", _("市代表小组")
    PROFESSIONAL = "professional", _("专业代表小组")
    TASK_TEAM = "task_team", _("专业小分队")


class DeputyGroup(models.Model):
    """A deputies' group: street group, city-deputy group, professional group or task team."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=GroupKind.choices)
    # PROTECT: groups are history. Street groups and task teams belong to a street;
    # professional and city groups to the district.
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="deputy_groups"
    )
    description = models.TextField(_("简介"), blank=True)

    class Meta:
        verbose_name = _("代表小组")
        verbose_name_plural = _("代表小组")
        ordering = ["kind", "region__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "name"], name="group_unique_name")
        ]

    def __str__(self):
        return self.name


class GroupRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY_LEADER = "deputy_leader", _("副组长")
    MEMBER = "member", _("成员")


class GroupMembership(models.Model):
    """A deputy's dated place in a group."""

    # CASCADE: memberships are parts of both the group and the deputy.
    group = models.ForeignKey(
        DeputyGroup, verbose_name=_("小组"), on_delete=models.CASCADE, related_name="memberships"
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name=_("代表"), on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("职务"), max_length=16, choices=GroupRole.choices, default="member")
    start_date = models.DateField(_("加入日期"))
    end_date = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("小组成员")
        verbose_name_plural = _("小组成员")
        ordering = ["group", "role", "deputy"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "deputy", "start_date"], name="group_membership_unique"
            )
        ]

    def __str__(self):
        return f"{self.group} · {self.deputy}"
