"""Forms of the opinion work pages: the queue's filters and one form per case action."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Q, QuerySet
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from zhitong.core.forms import MultipleFileField
from zhitong.core.scoping import ScopeKind, work_scope
from zhitong.handling.deadlines import MAX_EXTENSION_DAYS, MAX_WORKING_DAYS, MIN_WORKING_DAYS
from zhitong.handling.models import GIVEN_SCORE_CHOICES, Rating
from zhitong.opinions import search
from zhitong.opinions.models import (
    AUTO_CLOSE_MAX,
    Channel,
    DeclineReason,
    DistrictSettings,
    Opinion,
    Status,
)
from zhitong.opinions.services import MAX_DOCUMENT_BYTES, MAX_REPLY_FILES
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import Station
from zhitong.stations.selectors import stations_visible_to
from zhitong.units.models import Category, HandlingUnit

# --- what the choice lists offer to whom ---------------------------------------------------


def district_paths(user) -> list[str] | None:
    """Path prefixes of the districts the user works in; None means every district."""
    paths = work_scope(user).district_paths
    return None if paths is None else list(paths)


def _under(paths: list[str] | None, field: str) -> Q:
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def streets_for(user) -> QuerySet[Region]:
    """Streets offered in the street filter: those of the user's region, else of the district."""
    streets = Region.objects.filter(level=RegionLevel.STREET)
    scope = work_scope(user)
    if scope.kind == ScopeKind.REGION:
        return streets.filter(path__startswith=scope.region_path).order_by("path")
    return streets.filter(_under(district_paths(user), "path")).order_by("path")


def stations_for(user) -> QuerySet[Station]:
    """Stations offered in the station filter."""
    if work_scope(user).kind == ScopeKind.UNIT:
        return Station.objects.filter(_under(district_paths(user), "region__path")).order_by(
            "street__path", "name"
        )
    return stations_visible_to(user).order_by("street__path", "name")


def units_for(user) -> QuerySet[HandlingUnit]:
    """Units offered in the unit filter and as referral targets: the district's and its
    streets' active units (a unit account sees only its own)."""
    units = HandlingUnit.objects.active().select_related("region")
    scope = work_scope(user)
    if scope.kind == ScopeKind.UNIT:
        return units.filter(pk=scope.unit_id)
    return units.filter(_under(district_paths(user), "region__path")).order_by(
        "region__path", "name"
    )


def categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("parent").order_by("code")


class _CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


class _UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _UnitsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _FastOptionsMixin:
    """A select whose options are written in Python.

    Django renders each <option> through a template (about 0.1 ms each); the queue offers
    hundreds of stations and units, which made rendering the page cost more than reading it.
    The markup is the same: name, id, required and aria attributes come from the bound field.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # A comprehension, not list(): list() asks a ModelChoiceIterator for its length,
        # which costs a COUNT query.
        choices = [(option, label) for option, label in self.choices]
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups: Django's way
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        options = []
        for option, label in choices:
            option = str(option)
            mark = " selected" if option in selected else ""
            options.append(f'<option value="{escape(option)}"{mark}>{escape(label)}</option>')
        # Every value and label is escaped above; flatatt escapes the attributes.
        return mark_safe(f"<select{flatatt(final)}>{''.join(options)}</select>")  # noqa: S308


class _FastSelect(_FastOptionsMixin, forms.Select):
    pass


class _FastSelectMultiple(_FastOptionsMixin, forms.SelectMultiple):
    pass


def _fast(widget):
    fast_class = {forms.Select: _FastSelect, forms.SelectMultiple: _FastSelectMultiple}.get(
        type(widget)
    )
    if fast_class is None:
        return widget
    fast = fast_class(attrs=widget.attrs)
    fast.choices = widget.choices
    fast.is_required = widget.is_required
    return fast


class _FastSelectForm(forms.Form):
    """A work-page form whose selects write their options in Python (_FastOptionsMixin).

    Swapped when the form is built: choices and querysets set afterwards reach the new
    widget, as a field hands them to whatever widget it has."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget = _fast(field.widget)


# --- the queue -----------------------------------------------------------------------------

STATUS_CHOICES = [
    ("", _("全部状态")),
    (search.STATUS_OPEN, _("未办结（全部）")),
    (search.STATUS_CLOSED, _("已办结（全部）")),
    *Status.choices,
]
DEADLINE_CHOICES = [
    ("", _("不限")),
    (search.DEADLINE_OVERDUE, _("已超期")),
    (search.DEADLINE_VERY_OVERDUE, _("严重超期（超过办理时限一倍）")),
]
MISSING_CHOICES = [
    ("", _("不限")),
    ("category", _("未填写类别")),
    ("street", _("未填写街道")),
    ("station", _("未填写站点")),
]
OUTCOME_CHOICES = [
    ("", _("不限")),
    (search.OUTCOME_ON_TIME, _("按期办结")),
    (search.OUTCOME_RATED, _("已评价")),
    (search.OUTCOME_SATISFIED, _("满意（含基本满意）")),
    (search.OUTCOME_DEFAULT, _("默认满意（逾期未评价）")),
]
SORT_CHOICES = [
    # Left empty, the list is newest first, or most overdue first when a deadline filter
    # is chosen (search.QueueFilter.order).
    ("", _("默认（按期限筛选时期限早的在前，否则新的在前）")),
    (search.SORT_NEWEST, _("接收时间（新的在前）")),
    (search.SORT_OLDEST, _("接收时间（早的在前）")),
    (search.SORT_DUE, _("办理期限（近的在前，仅列出办理中的）")),
]


class QueueFilterForm(_FastSelectForm):
    """The queue's filters (GET). Choice lists hold only what the user works with."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)
    category = _CategoryChoice(
        label=_("类别"), queryset=Category.objects.none(), required=False, empty_label=_("全部类别")
    )
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[("", _("全部渠道")), *Channel.choices], required=False
    )
    street = forms.ModelChoiceField(
        label=_("街道"), queryset=Region.objects.none(), required=False, empty_label=_("全部街道")
    )
    station = forms.ModelChoiceField(
        label=_("站点"), queryset=Station.objects.none(), required=False, empty_label=_("全部站点")
    )
    unit = _UnitChoice(
        label=_("承办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        empty_label=_("全部单位"),
    )
    deadline = forms.ChoiceField(label=_("期限"), choices=DEADLINE_CHOICES, required=False)
    date_from = forms.DateField(
        label=_("接收日期从"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("接收日期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sort = forms.ChoiceField(label=_("排序"), choices=SORT_CHOICES, required=False)
    # The filters the statistics' figures link with (search.QueueFilter).
    category_only = forms.BooleanField(label=_("不含下级类别"), required=False)
    missing = forms.ChoiceField(label=_("未填写项"), choices=MISSING_CHOICES, required=False)
    outcome = forms.ChoiceField(label=_("办理结果"), choices=OUTCOME_CHOICES, required=False)
    # Hidden: a list of hundreds of units on every queue page would cost more than the page;
    # the statistics link with it, and the page names the unit chosen.
    lead_unit = forms.ModelChoiceField(
        label=_("主办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Any unit of the user's districts, also one no longer active: the figures count
        # the units opinions were referred to, whatever they are now.
        self.fields["lead_unit"].queryset = HandlingUnit.objects.filter(
            _under(district_paths(user), "region__path")
        )
        # Only what the options show: these lists hold hundreds of rows on every queue page.
        self.fields["category"].queryset = categories().only("id", "name", "parent__name")
        self.fields["street"].queryset = streets_for(user).only("id", "name")
        self.fields["station"].queryset = stations_for(user).only("id", "name")
        self.fields["unit"].queryset = units_for(user).select_related(None).only("id", "name")
        self.fields["q"].widget.attrs["placeholder"] = _("标题、内容或查询码")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data

    def queue_filter(self) -> search.QueueFilter:
        """The filters that are valid (an invalid one is ignored and flagged on the page)."""
        if not self.is_bound:
            return search.QueueFilter()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return search.QueueFilter.from_cleaned(data)


class _BulkForm(_FastSelectForm):
    """An act on the opinions checked in the queue, with a unit to choose (`options`: the
    units as (id, name), read once for the page's forms)."""

    opinions = forms.ModelMultipleChoiceField(
        label=_("选中的意见"),
        queryset=Opinion.objects.none(),
        error_messages={
            "required": _("请至少勾选一件意见。"),
            "invalid_choice": _("勾选的意见不存在或无权办理。"),
            "invalid_pk_value": _("勾选的意见不存在或无权办理。"),
        },
    )

    def __init__(self, *args, user, opinions: QuerySet[Opinion], options=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opinions"].queryset = opinions
        _set_units(self.fields["unit"], user, options)


class BulkReferForm(_BulkForm):
    """Refer the checked opinions to one unit (批量转办)."""

    unit = _UnitChoice(
        label=_("转办至"),
        queryset=HandlingUnit.objects.none(),
        empty_label=_("请选择承办单位"),
        error_messages={
            "required": _("请选择承办单位。"),
            "invalid_choice": _("所选承办单位不存在或已停用。"),
        },
    )
    working_days = forms.IntegerField(
        label=_("办理期限（工作日）"),
        required=False,
        min_value=MIN_WORKING_DAYS,
        max_value=MAX_WORKING_DAYS,
        help_text=_("留空则按类别的默认期限。"),
    )


def _set_units(field, user, options: list | None) -> None:
    """The units a user may choose; `options` (id, name) read once for a page's forms."""
    field.queryset = units_for(user)
    if options is not None:
        field.widget.choices = [("", field.empty_label), *options]


class BulkSuperviseForm(_BulkForm):
    """Chase, set a new deadline for, or reassign the checked overdue opinions (批量督办)."""

    act = forms.ChoiceField(
        label=_("督办方式"),
        choices=[
            ("chase", _("催办")),
            ("set_deadline", _("调整办理期限")),
            ("reassign", _("改派承办单位")),
        ],
        initial="chase",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择督办方式。"),
            "invalid_choice": _("请选择催办、调整期限或改派。"),
        },
    )
    note = forms.CharField(
        label=_("说明或理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("催办时可留空；调整期限和改派须填写理由。"),
    )
    due = forms.DateField(
        label=_("新的办理期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("调整期限时填写，须为今天以后的工作日。"),
        error_messages={"invalid": _("请填写有效的日期。")},
    )
    unit = _UnitChoice(
        label=_("改派至"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        empty_label=_("改派时选择承办单位"),
        error_messages={"invalid_choice": _("所选承办单位不存在或已停用。")},
    )

    def clean(self):
        cleaned = super().clean()
        act = cleaned.get("act")
        note = (cleaned.get("note") or "").strip()
        if act == "set_deadline":
            if not cleaned.get("due") and "due" not in self.errors:
                self.add_error("due", _("请填写新的办理期限。"))
            if not note:
                self.add_error("note", _("请填写调整理由。"))
        if act == "reassign":
            if not cleaned.get("unit") and "unit" not in self.errors:
                self.add_error("unit", _("请选择改派的承办单位。"))
            if not note:
                self.add_error("note", _("请填写改派理由。"))
        return cleaned


# --- case actions ---------------------------------------------------------------------------


class AcceptForm(_FastSelectForm):
    category = _CategoryChoice(
        label=_("确认类别"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("（保持不变）"),
        error_messages={"invalid_choice": _("请选择有效的类别。")},
    )
    note = forms.CharField(
        label=_("受理备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories()


class CategoryForm(_FastSelectForm):
    category = _CategoryChoice(
        label=_("类别"),
        queryset=Category.objects.none(),
        empty_label=_("请选择类别"),
        error_messages={
            "required": _("请选择类别。"),
            "invalid_choice": _("请选择有效的类别。"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories()


class DeclineForm(_FastSelectForm):
    reason = forms.ChoiceField(
        label=_("不予受理原因"),
        choices=[("", _("请选择原因")), *DeclineReason.choices],
        error_messages={
            "required": _("请选择不予受理的原因。"),
            "invalid_choice": _("请选择不予受理的原因。"),
        },
    )
    note = forms.CharField(
        label=_("说明（将告知反映人）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerOnSpotForm(_FastSelectForm):
    text = forms.CharField(
        label=_("现场答复内容"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写答复内容。")},
    )


class ReferForm(_FastSelectForm):
    unit = _UnitChoice(
        label=_("主办单位"),
        queryset=HandlingUnit.objects.none(),
        empty_label=_("请选择承办单位"),
        error_messages={
            "required": _("请选择主办单位。"),
            "invalid_choice": _("所选承办单位不存在或已停用。"),
        },
    )
    co_units = _UnitsChoice(
        label=_("协办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        help_text=_("可多选；按住 Ctrl（Mac 为 Command）键选择多个。"),
        error_messages={"invalid_choice": _("所选协办单位不存在或已停用。")},
    )
    working_days = forms.IntegerField(
        label=_("办理期限（工作日）"),
        required=False,
        min_value=MIN_WORKING_DAYS,
        max_value=MAX_WORKING_DAYS,
        help_text=_("留空则按类别的默认期限。"),
    )
    note = forms.CharField(
        label=_("转办说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, suggested=None, needs_category: bool = False, **kwargs):
        """`needs_category`: the opinion has none yet; one must be chosen to refer it."""
        super().__init__(*args, **kwargs)
        if needs_category:
            self.fields = {
                "category": _CategoryChoice(
                    label=_("类别"),
                    queryset=categories(),
                    empty_label=_("请选择类别"),
                    help_text=_("转办前须确定类别：统计和按类别交办都需要。"),
                    error_messages={
                        "required": _("请先选择类别再转办。"),
                        "invalid_choice": _("请选择有效的类别。"),
                    },
                ),
                **self.fields,
            }
            self.fields["category"].widget = _fast(self.fields["category"].widget)
        units = units_for(user)
        self.fields["unit"].queryset = units
        self.fields["co_units"].queryset = units
        self.fields["co_units"].widget.attrs["size"] = 4
        if suggested is not None and not self.is_bound:
            self.initial["unit"] = suggested.pk


class ReferralReturnForm(_FastSelectForm):
    reason = forms.CharField(
        label=_("退回理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写退回理由。")},
    )


class ReplyForm(_FastSelectForm):
    text = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("请填写答复内容。")},
    )
    files = MultipleFileField(
        label=_("附件"),
        required=False,
        max_count=MAX_REPLY_FILES,
        max_size=MAX_DOCUMENT_BYTES,
        help_text=_("最多%(count)d个文件，每个不超过%(mb)dMB。")
        % {"count": MAX_REPLY_FILES, "mb": MAX_DOCUMENT_BYTES // (1024 * 1024)},
    )


class SendForm(_FastSelectForm):
    text_sent = forms.CharField(
        label=_("反馈给群众的内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写反馈内容。")},
        help_text=_("可在单位答复的基础上修改；原答复保留。"),
    )


class RecordRatingForm(_FastSelectForm):
    """The satisfaction the citizen gave by phone or in person (回访), recorded by a handler."""

    method = forms.ChoiceField(
        label=_("回访方式"),
        choices=[
            (Rating.Method.PHONE.value, Rating.Method.PHONE.label),
            (Rating.Method.IN_PERSON.value, Rating.Method.IN_PERSON.label),
        ],
        error_messages={"required": _("请选择回访方式。")},
    )
    taken_at = forms.DateTimeField(
        label=_("回访时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=_("留空为现在；补记之前的回访时填写当时的时间。"),
        error_messages={"invalid": _("请填写有效的回访时间。")},
    )
    score = forms.ChoiceField(
        label=_("群众的评价"),
        choices=GIVEN_SCORE_CHOICES,
        error_messages={"required": _("请选择满意、基本满意或不满意。")},
    )
    comment = forms.CharField(
        label=_("群众的意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "记录群众的原话；“不满意”时必填：第一次不满意退回承办单位重新办理，"
            "再次不满意则按“办结（不满意）”结案。"
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("score") == Rating.Score.UNSATISFIED
            and not (cleaned.get("comment") or "").strip()
        ):
            self.add_error("comment", _("请说明不满意的原因，以便承办单位重新办理。"))
        return cleaned


class ExtensionRequestForm(_FastSelectForm):
    working_days = forms.IntegerField(
        label=_("延长工作日"),
        min_value=1,
        max_value=MAX_EXTENSION_DAYS,
        error_messages={"required": _("请填写延长的工作日数。")},
    )
    reason = forms.CharField(
        label=_("延期理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写延期理由。")},
    )


class ChaseForm(_FastSelectForm):
    """催办: the unit is told; the note is what they read."""

    note = forms.CharField(
        label=_("催办说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("可留空；填写后随催办通知发给承办单位。"),
    )


class ReassignForm(_FastSelectForm):
    """改派: another unit takes the referral over, with a fresh deadline."""

    unit = _UnitChoice(
        label=_("改派至"),
        queryset=HandlingUnit.objects.none(),
        empty_label=_("请选择承办单位"),
        error_messages={
            "required": _("请选择改派的承办单位。"),
            "invalid_choice": _("所选承办单位不存在或已停用。"),
        },
    )
    reason = forms.CharField(
        label=_("改派理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写改派理由。")},
    )

    def __init__(self, *args, user, options: list | None = None, **kwargs):
        """`options`: the units as (id, name), read once for all the page's forms."""
        super().__init__(*args, **kwargs)
        _set_units(self.fields["unit"], user, options)


def unit_options(user) -> list[tuple[int, str]]:
    """The units a user may refer to, as (id, name) for several forms of one page."""
    return list(units_for(user).values_list("pk", "name"))


class SetDeadlineForm(_FastSelectForm):
    """调整期限: staff set a new due date, with a reason shown on the case page."""

    due = forms.DateField(
        label=_("新的办理期限"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("须为今天以后的工作日。"),
        error_messages={"required": _("请填写新的办理期限。"), "invalid": _("请填写有效的日期。")},
    )
    reason = forms.CharField(
        label=_("调整理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写调整理由。")},
    )


class ExtensionDecideForm(_FastSelectForm):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("批准")), ("refuse", _("不批准"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择是否批准。"), "invalid_choice": _("请选择是否批准。")},
    )
    note = forms.CharField(
        label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(_FastSelectForm):
    into = forms.CharField(
        label=_("主意见的查询码"),
        max_length=20,
        error_messages={"required": _("请填写主意见的查询码。")},
    )
    note = forms.CharField(
        label=_("合并说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, visible: QuerySet[Opinion] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible = visible

    def clean_into(self):
        codes = search.tracking_code_candidates(self.cleaned_data["into"])
        opinion = None
        if codes and self.visible is not None:
            opinion = self.visible.filter(tracking_code__in=codes).first()
        if opinion is None:
            raise forms.ValidationError(_("找不到该查询码对应的意见，或您无权办理。"))
        return opinion


class RaiseSuggestionForm(_FastSelectForm):
    title = forms.CharField(
        label=_("建议标题"), max_length=200, error_messages={"required": _("请填写建议标题。")}
    )
    content = forms.CharField(
        label=_("建议内容"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    others = forms.CharField(
        label=_("一并提出的其他意见（查询码）"),
        required=False,
        help_text=_("可填多个，用逗号或顿号分隔。"),
    )

    def __init__(self, *args, visible: QuerySet[Opinion] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible = visible

    def clean_others(self):
        raw = self.cleaned_data.get("others") or ""
        # Codes are separated by commas, semicolons or 、; spaces may sit inside a code.
        typed = [c.strip() for c in re.split(r"[,，、;；\n]+", raw) if c.strip()]
        if not typed:
            return []
        found, missing = [], []
        for text in typed:
            codes = search.tracking_code_candidates(text)
            opinion = self.visible.filter(tracking_code__in=codes).first() if codes else None
            if opinion is None:
                missing.append(text)
            elif opinion not in found:
                found.append(opinion)
        if missing:
            raise forms.ValidationError(
                _("找不到以下查询码对应的意见，或您无权查看：%(codes)s")
                % {"codes": "、".join(missing)}
            )
        return found


class StatsPeriodForm(_FastSelectForm):
    """The period of the figures page (local dates, both included)."""

    start = forms.DateField(
        label=_("接收日期从"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("接收日期至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return data


class DistrictSettingsForm(forms.ModelForm):
    """The district's settings for its opinions (意见办理设置)."""

    class Meta:
        model = DistrictSettings
        fields = ["auto_close_working_days"]
        error_messages = {
            "auto_close_working_days": {
                "required": _("请填写工作日数（0 表示不自动办结）。"),
                "invalid": _("请填写 0 到 %(max)d 之间的整数。") % {"max": AUTO_CLOSE_MAX},
            }
        }

    def clean_auto_close_working_days(self):
        value = self.cleaned_data["auto_close_working_days"]
        if value is None or not 0 <= value <= AUTO_CLOSE_MAX:
            raise forms.ValidationError(
                _("请填写 0 到 %(max)d 之间的整数。") % {"max": AUTO_CLOSE_MAX}
            )
        return value
