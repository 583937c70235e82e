"""Work-side intake forms: a deputy's or liaison's record of a visit, batch entry at an
event (one row per opinion), and the upload of an offline ledger."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhitong.deputies.models import Deputy
from zhitong.opinions import intake
from zhitong.opinions.forms_public import OpinionFieldsForm, PhotosMixin, category_choices
from zhitong.opinions.models import Channel, IntakeSession
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import StationAssignment

# Rows shown by default in a batch entry, the step of "more rows", and the most at once.
SESSION_ROWS = 5
SESSION_ROWS_STEP = 5


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def recording_context(user) -> dict:
    """What the intake forms offer `user`: stations, deputies, places and categories.

    Loaded once per page (a batch of rows shares it), so a page costs the same few
    queries however many rows it shows.
    """
    stations = list(intake.recording_stations(user))
    places = list(intake.recording_places(user))
    if not places and stations:
        # Deputies and liaisons name the community within their stations' districts.
        within = Q()
        for path in {s.street.parent.path for s in stations}:
            within |= Q(path__startswith=path)
        places = list(
            Region.objects.filter(level__in=[RegionLevel.STREET, RegionLevel.COMMUNITY])
            .filter(within)
            .order_by("path")
        )
    current = StationAssignment.objects.current().filter(station__in=[s.pk for s in stations])
    deputies = list(
        Deputy.objects.filter(pk__in=current.values("deputy_id")).order_by("name", "pk")
    )
    return {
        "stations": stations,
        "places": places,
        "deputies": deputies,
        "categories": category_choices(),
        "staff": intake._is_recording_staff(user),
        "own_deputy": intake._own_deputy(user),
    }


def station_from_query(value: str | None, context: dict):
    """The station a link names (`?station=<id>`, from a home page), or None when the value
    is missing, malformed or not one of the stations `context` lets the user record at."""
    if not value or not str(value).isdigit():
        return None
    return next((s for s in context["stations"] if s.pk == int(value)), None)


class _StationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.street.name} · {obj.name}"


class RecordForm(PhotosMixin, OpinionFieldsForm):
    """One opinion taken down at a station visit or from an opinion box."""

    mobile_only = False

    station = _StationChoice(
        label=_("接待站点"),
        queryset=None,
        error_messages={"required": _("请选择接待站点。")},
    )
    deputy = forms.ModelChoiceField(
        label=_("接待代表（选填）"), queryset=None, required=False, empty_label=_("（不指定）")
    )
    channel = forms.ChoiceField(label=_("渠道"))
    received_on = forms.DateField(
        label=_("收集日期"),
        widget=_date_widget(),
        error_messages={"required": _("请填写收集日期。"), "invalid": _("日期格式不正确。")},
    )

    field_order = [
        "station",
        "deputy",
        "channel",
        "received_on",
        "subject",
        "content",
        "category",
        "place",
        "address",
        "photos",
        "submitter_name",
        "submitter_phone",
        "submitter_email",
    ]

    def __init__(self, *args, context: dict, **kwargs):
        super().__init__(
            *args,
            places=context["places"],
            place_required=False,
            categories=context["categories"],
            **kwargs,
        )
        station = self.fields["station"]
        station.empty_label = _("请选择")
        station.queryset = intake.Station.objects.filter(
            pk__in=[s.pk for s in context["stations"]]
        ).select_related("street", "street__parent")
        station.choices = [("", station.empty_label)] + [
            (s.pk, station.label_from_instance(s)) for s in context["stations"]
        ]
        if context["staff"]:
            station.required = False
            station.label = _("接待站点（选填）")
            station.empty_label = _("（不经站点，按所在社区录入）")
            station.choices = [("", station.empty_label)] + list(station.choices)[1:]
            station.help_text = _("不选站点时须选择所在社区。")
        elif len(context["stations"]) == 1:
            self.initial.setdefault("station", context["stations"][0].pk)
        self.fields["deputy"].queryset = Deputy.objects.filter(
            pk__in=[d.pk for d in context["deputies"]]
        )
        self.fields["deputy"].choices = [("", _("（不指定）"))] + [
            (d.pk, d.name) for d in context["deputies"]
        ]
        if context["own_deputy"] is not None:
            self.initial.setdefault("deputy", context["own_deputy"].pk)
        self.fields["channel"].choices = [
            (value, label) for value, label in Channel.choices if value in intake.RECORD_CHANNELS
        ]
        self.initial.setdefault("channel", Channel.STATION_VISIT)
        self.initial.setdefault("received_on", timezone.localdate())
        self.fields["submitter_phone"].label = _("联系电话（选填）")
        self.fields["submitter_phone"].help_text = _(
            "手机号码会收到查询码短信；也可填带区号的固定电话。"
        )


class SessionForm(forms.Form):
    """The event itself: what, when, where, which deputies."""

    kind = forms.ChoiceField(label=_("活动类型"), choices=IntakeSession.Kind.choices)
    title = forms.CharField(
        label=_("活动名称"),
        max_length=intake.SESSION_TITLE_LIMIT,
        error_messages={"required": _("请填写活动名称。")},
        widget=forms.TextInput(attrs={"placeholder": _("如：首义社区3月代表半月谈")}),
    )
    held_on = forms.DateField(
        label=_("活动日期"),
        widget=_date_widget(),
        error_messages={"required": _("请填写活动日期。"), "invalid": _("日期格式不正确。")},
    )
    station = _StationChoice(
        label=_("活动站点"), queryset=None, error_messages={"required": _("请选择活动站点。")}
    )
    deputies = forms.ModelMultipleChoiceField(
        label=_("参加代表（选填）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, context: dict, **kwargs):
        super().__init__(*args, **kwargs)
        station = self.fields["station"]
        station.empty_label = _("请选择")
        station.queryset = intake.Station.objects.filter(
            pk__in=[s.pk for s in context["stations"]]
        ).select_related("street", "street__parent")
        station.choices = [("", station.empty_label)] + [
            (s.pk, station.label_from_instance(s)) for s in context["stations"]
        ]
        if len(context["stations"]) == 1:
            self.initial.setdefault("station", context["stations"][0].pk)
        deputies = self.fields["deputies"]
        deputies.queryset = Deputy.objects.filter(pk__in=[d.pk for d in context["deputies"]])
        deputies.choices = [(d.pk, d.name) for d in context["deputies"]]
        if context["own_deputy"] is not None:
            self.initial.setdefault("deputies", [context["own_deputy"].pk])
        self.initial.setdefault("held_on", timezone.localdate())

    def session_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["deputies"] = list(data.get("deputies") or [])
        return data


class SessionRowForm(OpinionFieldsForm):
    """One opinion of the event, with its own submitter; a blank row is skipped."""

    mobile_only = False

    def __init__(self, *args, context: dict, **kwargs):
        super().__init__(
            *args,
            places=context["places"],
            place_required=False,
            categories=context["categories"],
            **kwargs,
        )
        del self.fields["submitter_email"]
        self.fields["subject"].widget.attrs.pop("placeholder", None)
        self.fields["content"].widget.attrs["rows"] = 3
        self.fields["submitter_phone"].label = _("联系电话（选填）")
        self.fields["submitter_phone"].help_text = ""
        self.fields["content"].help_text = ""

    def opinion_data(self) -> dict:
        data = super().opinion_data()
        data["submitter_email"] = ""
        return data


def session_formset(rows: int):
    return formset_factory(
        SessionRowForm,
        extra=rows,
        max_num=intake.MAX_SESSION_ROWS,
        absolute_max=intake.MAX_SESSION_ROWS,
        validate_max=True,
    )


class LedgerUploadForm(forms.Form):
    district = forms.ChoiceField(label=_("导入到"))
    file = forms.FileField(
        label=_("Excel 台账（.xlsx）"),
        help_text=_("请使用本页的模板填写；不超过 10 MB，最多 5000 行。"),
        error_messages={"required": _("请选择要导入的文件。")},
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, districts: list[Region], **kwargs):
        super().__init__(*args, **kwargs)
        self._districts = {d.code: d for d in districts}
        self.fields["district"].choices = [(d.code, d.name) for d in districts]

    def clean_district(self):
        return self._districts.get(self.cleaned_data["district"])
