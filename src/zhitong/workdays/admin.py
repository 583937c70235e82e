"""Admin of the working-day calendar (工作日历): a year's schedule, saved through the publish service."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhitong.workdays.models import CalendarDay, CalendarYear
from zhitong.workdays.selectors import calendar_years_with_counts
from zhitong.workdays.services import (
    calendar_year_publish,
    can_publish_calendar,
    validate_calendar_days,
)


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")

    def validate_unique(self):
        # The formset checks the whole year at once (validate_calendar_days); a per-row
        # database check would refuse moving a date from a deleted row to a new one.
        pass


class CalendarDayFormSet(BaseInlineFormSet):
    """Checks the year's days together with the same rules as the publish service."""

    def clean(self):
        super().clean()
        self.rows = []
        if any(self.errors) or self.instance.year is None:
            return
        rows = [
            (form.cleaned_data["date"], form.cleaned_data["kind"], form.cleaned_data["name"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            self.rows = validate_calendar_days(self.instance.year, rows)
        except ValidationError as error:
            raise ValidationError(error.messages) from error


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    form = CalendarDayForm
    formset = CalendarDayFormSet
    fields = ("date", "kind", "name")
    ordering = ("date",)
    extra = 3


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ("year", "source")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            # Every published schedule must say where it comes from.
            self.fields["source"].required = True


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """One year's holidays and make-up working days; saving publishes them (with an event)."""

    form = CalendarYearForm
    inlines = [CalendarDayInline]
    list_display = (
        "year",
        "status",
        "source",
        "holiday_count",
        "makeup_count",
        "published_at",
        "updated_by",
    )
    list_filter = ("status",)
    ordering = ("-year",)
    fieldsets = (
        (
            None,
            {
                "fields": ("year", "source", "status", "published_at", "updated_by"),
                "description": _(
                    "按国务院办公厅当年放假通知逐日填写：放假的每一天（含周末）填“法定节假日（休息）”，"
                    "周六、周日上班的日子填“调休上班”。未列出的日子按周一至周五上班、周六周日休息计算。"
                    "保存即发布：新安排立即用于期限计算，并记录在操作记录中。"
                ),
            },
        ),
    )

    def get_queryset(self, request):
        return calendar_years_with_counts()

    def get_readonly_fields(self, request, obj=None):
        readonly = ("status", "published_at", "updated_by")
        return ("year", *readonly) if obj is not None else readonly

    @admin.display(description=_("节假日（天）"), ordering="holiday_count")
    def holiday_count(self, obj):
        return obj.holiday_count

    @admin.display(description=_("调休上班（天）"), ordering="makeup_count")
    def makeup_count(self, obj):
        return obj.makeup_count

    def has_module_permission(self, request):
        return can_publish_calendar(request.user)

    def has_view_permission(self, request, obj=None):
        return can_publish_calendar(request.user)

    def has_add_permission(self, request):
        return can_publish_calendar(request.user)

    def has_change_permission(self, request, obj=None):
        return can_publish_calendar(request.user)

    def has_delete_permission(self, request, obj=None):
        # Removing a year would silently turn its deadlines provisional; correct it instead.
        return False

    def save_model(self, request, obj, form, change):
        # Written by calendar_year_publish in save_related, with the days and the event.
        pass

    def save_related(self, request, form, formsets, change):
        day_formset = next(fs for fs in formsets if isinstance(fs, CalendarDayFormSet))
        calendar_year = calendar_year_publish(
            year=form.cleaned_data.get("year", form.instance.year),
            days=day_formset.rows,
            source=form.cleaned_data["source"],
            by=request.user,
        )
        form.instance.pk = calendar_year.pk
        form.instance._state.adding = False
        form.instance.refresh_from_db()

    def construct_change_message(self, request, form, formsets, add=False):
        return gettext("已发布放假安排。")
