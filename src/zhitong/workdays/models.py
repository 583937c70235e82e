"""The official working-day calendar (工作日历) as data: one row per year, one per exceptional day."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Years the calendar accepts; a typo like 207 or 20207 is refused rather than stored.
MIN_YEAR = 2000
MAX_YEAR = 2100


class CalendarYear(models.Model):
    """One year's official schedule (放假安排), as published by the State Council.

    Only a published year's days count. A year with no row, or one not published, is
    "provisional": deadlines running through it count weekends only until staff enter it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("未发布")
        PUBLISHED = "published", _("已发布")

    year = models.PositiveSmallIntegerField(
        _("年份"),
        unique=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(
        _("来源"),
        max_length=200,
        blank=True,
        help_text=_("如“国务院办公厅关于2027年部分节假日安排的通知”及其文号。"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    # PROTECT: accounts that acted are deactivated, never deleted, so the record keeps them.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后更新人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A new value on every publish: each process compares it with what it has cached,
    # so a change made by any process (or rolled back) is never served stale.
    revision = models.UUIDField(_("版本"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["-year"]
        permissions = [("publish_calendar", _("可发布工作日历（放假安排）"))]

    def __str__(self):
        return f"{self.year}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class CalendarDay(models.Model):
    """A day that breaks the weekly rule: a holiday (休息) or a make-up working day (调休上班).

    Everything else follows the week: Monday to Friday work, Saturday and Sunday rest.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日（休息）")
        MAKEUP_WORKDAY = "makeup_workday", _("调休上班")

    # CASCADE: a day exists only as part of its year's schedule.
    year = models.ForeignKey(
        CalendarYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("节日名称"), max_length=50, help_text=_("如：春节、国庆节。"))

    class Meta:
        verbose_name = _("节假日或调休日")
        verbose_name_plural = _("节假日和调休日")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "makeup_workday"]),
                name="workdays_calendarday_kind_known",
            )
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name} {self.get_kind_display()}"
