"""Forms of the staff's pages of 交: the queue's filters, registration, the proposed units,
key marking, reassignment after a refusal, the assignment meeting, the district's
settings and its sessions."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhitong.deputies.models import Term
from zhitong.handling.models import Assignment
from zhitong.opinions.forms_work import streets_for, units_for
from zhitong.regions.models import Region
from zhitong.suggestions import selectors_staff
from zhitong.suggestions.models import CongressSession, DistrictSettings, Status, Suggestion
from zhitong.suggestions.services import proposed_units
from zhitong.units.models import Category, HandlingUnit, route_for

OTHER_DISTRICT_UNIT = _("请从本区在用的承办单位中选择（所选单位不属于本区或已停用）。")


class _UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _UnitsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _LeaderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


def _categories():
    return (
        Category.objects.filter(is_active=True)
        .select_related("parent")  # each choice is named "parent › name": one query
        .order_by("sort_order", "code")
    )


# --- the queue's filters ------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The staff queue's filters (GET; every one works without JavaScript)."""

    session = forms.ModelChoiceField(
        label=_("所属会议"), queryset=CongressSession.objects.none(), required=False
    )
    during = forms.ChoiceField(
        label=_("提出时间"),
        required=False,
        choices=[("", _("全部")), ("during", _("大会期间")), ("recess", _("闭会期间"))],
    )
    status = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.ModelChoiceField(
        label=_("类别"), queryset=Category.objects.none(), required=False
    )
    unit = _UnitChoice(label=_("主办单位"), queryset=HandlingUnit.objects.none(), required=False)
    street = forms.ModelChoiceField(label=_("街道"), queryset=Region.objects.none(), required=False)
    key = forms.BooleanField(label=_("仅重点督办"), required=False)
    due = forms.ChoiceField(
        label=_("办理期限"),
        required=False,
        choices=[
            ("", _("全部")),
            ("overdue", _("已超期")),
            ("soon", _("15天内到期")),
        ],
    )
    q = forms.CharField(label=_("标题包含"), required=False, max_length=100)

    def __init__(self, data=None, files=None, *, user):
        super().__init__(data, files)
        districts = selectors_staff.staff_districts(user)
        self.fields["session"].queryset = CongressSession.objects.filter(
            district__in=districts
        ).select_related("term")
        self.fields["status"].choices = [("", _("全部"))] + [
            (value, label)
            for value, label in Status.choices
            if value not in selectors_staff.NOT_SUBMITTED
        ]
        self.fields["category"].queryset = _categories()
        self.fields["unit"].queryset = units_for(user)
        self.fields["street"].queryset = streets_for(user)

    def queue_filter(self) -> selectors_staff.QueueFilter:
        if not self.is_valid():
            return selectors_staff.QueueFilter()
        d = self.cleaned_data
        return selectors_staff.QueueFilter(
            session=d["session"],
            during=d["during"] or "",
            status=d["status"] or "",
            category_id=d["category"].pk if d["category"] else None,
            unit_id=d["unit"].pk if d["unit"] else None,
            street_id=d["street"].pk if d["street"] else None,
            key_only=bool(d["key"]),
            due=d["due"] or "",
            text=(d["q"] or "").strip(),
        )


# --- the suggestion page's panels ---------------------------------------------------------


class _SuggestionForm(forms.Form):
    """A form about one suggestion, whose choices are its district's."""

    def __init__(self, data=None, files=None, *, suggestion: Suggestion, **kwargs):
        super().__init__(data, files, **kwargs)
        self.suggestion = suggestion
        district = suggestion.district
        for name, field in self.fields.items():
            if name in ("lead", "co_units", "unit"):
                field.queryset = selectors_staff.district_units(district)
                field.error_messages["invalid_choice"] = OTHER_DISTRICT_UNIT
                field.error_messages["invalid_pk_value"] = OTHER_DISTRICT_UNIT
            elif name == "key_leader":
                field.queryset = selectors_staff.district_leaders(district)
                field.error_messages["invalid_choice"] = _("请从本区主任会议成员中选择。")


class _KeyFields(forms.Form):
    is_key = forms.BooleanField(label=_("重点督办建议"), required=False)
    key_leader = _LeaderChoice(
        label=_("领衔督办领导"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("重点督办建议须由一名主任会议成员领衔督办。"),
    )


class RegisterForm(_SuggestionForm, _KeyFields):
    """立案: the category, the session, the proposed lead unit and co-units, key or not."""

    category = forms.ModelChoiceField(
        label=_("建议类别"),
        queryset=Category.objects.none(),
        error_messages={"required": _("请选择建议类别。")},
    )
    session = forms.ModelChoiceField(
        label=_("所属会议"),
        queryset=CongressSession.objects.none(),
        error_messages={"required": _("请选择所属人代会会议。")},
    )
    lead = _UnitChoice(
        label=_("拟主办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        help_text=_("默认按类别分派规则确定；留空则按所选类别的分派规则确定。"),
    )
    co_units = _UnitsChoice(
        label=_("拟协办单位"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        help_text=_("可多选（按住 Ctrl 键）。"),
    )

    field_order = ["category", "session", "lead", "co_units", "is_key", "key_leader"]

    def __init__(self, data=None, files=None, *, suggestion: Suggestion, proposed=None, **kwargs):
        """`proposed`: the router's category (id), chosen when the deputy gave none."""
        super().__init__(data, files, suggestion=suggestion, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["session"].queryset = selectors_staff.district_sessions(suggestion.district)
        if data is None:
            lead = proposed_units(suggestion)
            category = suggestion.category_id
            if category is None and proposed is not None:
                chosen = Category.objects.filter(pk=proposed).first()
                if chosen is not None:
                    category = chosen.pk
                    lead = route_for(chosen, suggestion.street or suggestion.district)
            self.initial.update(
                category=category,
                session=suggestion.session_id,
                lead=getattr(lead, "pk", None),
            )
        self.fields["co_units"].widget.attrs["size"] = 6

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("lead") is None and cleaned.get("category") is not None:
            # The category's routing, for the category chosen here.
            self.suggestion.category = cleaned["category"]
            routed = proposed_units(self.suggestion)
            if routed is None:
                self.add_error("lead", _("该类别没有分派规则，请选择主办单位。"))
            elif (
                not selectors_staff.district_units(self.suggestion.district)
                .filter(pk=routed.pk)
                .exists()
            ):
                self.add_error("lead", OTHER_DISTRICT_UNIT)
            else:
                cleaned["lead"] = routed
        return cleaned


class ProposeForm(_SuggestionForm):
    """The proposed units, changed before the assignment meeting."""

    lead = _UnitChoice(
        label=_("拟主办单位"),
        queryset=HandlingUnit.objects.none(),
        error_messages={"required": _("请选择主办单位。")},
    )
    co_units = _UnitsChoice(
        label=_("拟协办单位"), queryset=HandlingUnit.objects.none(), required=False
    )

    def __init__(self, data=None, files=None, *, suggestion: Suggestion, **kwargs):
        super().__init__(data, files, suggestion=suggestion, **kwargs)
        if data is None:
            self.initial.update(
                lead=suggestion.proposed_lead_id,
                co_units=[u.pk for u in suggestion.proposed_co_units.all()],
            )
        self.fields["co_units"].widget.attrs["size"] = 6


class KeyForm(_SuggestionForm, _KeyFields):
    """重点督办: mark or unmark, with the leading director."""

    def __init__(self, data=None, files=None, *, suggestion: Suggestion, **kwargs):
        super().__init__(data, files, suggestion=suggestion, **kwargs)
        if data is None:
            self.initial.update(is_key=suggestion.is_key, key_leader=suggestion.key_leader_id)


class _RefusedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        role = _("主办") if obj.role == Assignment.Role.LEAD else _("协办")
        return f"{obj.unit.name}（{role}）"


class ReassignForm(_SuggestionForm):
    """改派: a refused assignment given to another unit of the district."""

    refused = _RefusedChoice(
        label=_("被退回的交办"),
        queryset=Assignment.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("该交办已改派或未被退回。")},
    )
    unit = _UnitChoice(
        label=_("改派给"),
        queryset=HandlingUnit.objects.none(),
        error_messages={"required": _("请选择承办单位。")},
    )

    def __init__(self, data=None, files=None, *, suggestion: Suggestion, refused=(), **kwargs):
        super().__init__(data, files, suggestion=suggestion, **kwargs)
        self.fields["refused"].queryset = Assignment.objects.filter(
            pk__in=[a.pk for a in refused]
        ).select_related("unit")


# --- the assignment meeting (交办会) ------------------------------------------------------


class AssignBatchForm(forms.Form):
    suggestions = forms.ModelMultipleChoiceField(
        label=_("交办的建议"),
        queryset=Suggestion.objects.none(),
        error_messages={
            "required": _("请选择要交办的建议。"),
            "invalid_choice": _(
                "所选建议中有不在待交办之列的（可能已交办或尚未立案），未交办任何建议。"
            ),
            "invalid_pk_value": _("请选择要交办的建议。"),
        },
    )
    note = forms.CharField(
        label=_("交办说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data=None, files=None, *, awaiting, **kwargs):
        super().__init__(data, files, **kwargs)
        self.fields["suggestions"].queryset = awaiting


# --- the district's settings and sessions -------------------------------------------------


class SettingsForm(forms.ModelForm):
    """建议办理设置."""

    government_office = _UnitChoice(
        label=_("政府办公室"),
        queryset=HandlingUnit.objects.none(),
        required=False,
        help_text=_("该单位的账号可以在交办会上确认交办。"),
    )

    class Meta:
        model = DistrictSettings
        fields = [
            "reply_months",
            "co_unit_months",
            "max_extension_months",
            "refuse_working_days",
            "rehandle_months",
            "government_office",
        ]

    def __init__(self, data=None, files=None, *, district: Region, **kwargs):
        super().__init__(data, files, **kwargs)
        field = self.fields["government_office"]
        field.queryset = selectors_staff.district_units(district)
        field.error_messages["invalid_choice"] = OTHER_DISTRICT_UNIT
        from zhitong.suggestions.services_settings import BOUNDS

        for name, (low, high) in BOUNDS.items():
            self.fields[name].min_value = low
            self.fields[name].max_value = high
            self.fields[name].widget.attrs.update(min=low, max=high)
            self.fields[name].validators += [
                forms.fields.validators.MinValueValidator(low),
                forms.fields.validators.MaxValueValidator(high),
            ]

    def _post_clean(self):
        # The service checks and saves; the model's own validation is not needed here.
        pass


class _TermChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class SessionForm(forms.Form):
    term = _TermChoice(
        label=_("届次"),
        queryset=Term.objects.none(),
        error_messages={"required": _("请选择届次。")},
    )
    number = forms.IntegerField(label=_("会议次数"), min_value=1, max_value=20)
    opens_on = forms.DateField(label=_("开幕日期"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("闭幕日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(
        self, data=None, files=None, *, district: Region, editing: CongressSession | None = None
    ):
        super().__init__(data, files)
        self.fields["term"].queryset = Term.objects.filter(region=district).order_by("-number")
        if editing is not None:
            del self.fields["term"]
            if data is None:
                self.initial.update(
                    number=editing.number, opens_on=editing.opens_on, closes_on=editing.closes_on
                )

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("闭幕日期不能早于开幕日期。"))
        return cleaned


class BookletForm(forms.Form):
    session = forms.ModelChoiceField(
        label=_("所属会议"),
        queryset=CongressSession.objects.none(),
        error_messages={"required": _("请选择会议。"), "invalid_choice": _("请选择本区的会议。")},
    )

    def __init__(self, data=None, files=None, *, district: Region):
        super().__init__(data, files)
        self.fields["session"].queryset = selectors_staff.district_sessions(district)
