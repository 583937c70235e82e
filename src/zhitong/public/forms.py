"""GET filter forms of the public directories; an unknown value is dropped, not an error page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from zhitong.deputies.models import DeputyLevel
from zhitong.stations.models import StationKind


def street_choices(streets) -> list:
    """Choices for a street select; grouped by district when there is more than one."""
    districts: dict[str, list] = {}
    for street in streets:
        district_name = street.parent.name if street.parent_id else ""
        districts.setdefault(district_name, []).append((street.code, street.name))
    blank = [("", _("全部街道"))]
    if len(districts) <= 1:
        return blank + [choice for group in districts.values() for choice in group]
    return blank + list(districts.items())


class StationFilterForm(forms.Form):
    street = forms.ChoiceField(label=_("街道"), required=False)
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=[("", _("全部类型")), *StationKind.choices],
    )

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = street_choices(streets)

    def filters(self) -> dict[str, str]:
        """The valid filter values; invalid ones are ignored so the list still shows."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"street_code": data.get("street", ""), "kind": data.get("kind", "")}


class DeputyFilterForm(forms.Form):
    q = forms.CharField(
        label=_("姓名"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    street = forms.ChoiceField(label=_("街道"), required=False)
    level = forms.ChoiceField(
        label=_("代表层级"),
        required=False,
        choices=[("", _("全部层级")), *DeputyLevel.choices],
    )

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = street_choices(streets)

    def filters(self) -> dict[str, str]:
        """The valid filter values; invalid ones are ignored so the list still shows."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q", ""),
            "street_code": data.get("street", ""),
            "level": data.get("level", ""),
        }


# --- posters (张贴海报), on the work pages ----------------------------------------------------


class PosterSizeForm(forms.Form):
    """The paper of one poster: ?size=a4 (default) or a5."""

    size = forms.ChoiceField(
        label=_("纸张大小"),
        required=False,
        error_messages={"invalid_choice": _("纸张大小只能是 A4 或 A5。")},
    )

    def __init__(self, *args, **kwargs):
        from zhitong.public.posters import SIZE_LABELS

        super().__init__(*args, **kwargs)
        self.fields["size"].choices = list(SIZE_LABELS.items())

    def clean_size(self):
        return self.cleaned_data.get("size") or "a4"


class RegionPostersForm(PosterSizeForm):
    """Every poster of a street or district in one PDF: which region, which posters, which
    paper. The regions offered are those the user may print."""

    KINDS = [("stations", _("各联络站点的海报")), ("deputies", _("各位进站代表的海报"))]

    region = forms.ModelChoiceField(
        label=_("范围"),
        queryset=None,
        empty_label=None,
        error_messages={
            "required": _("请选择街道或区。"),
            "invalid_choice": _("只能选择您工作范围内的街道或区。"),
        },
    )
    kind = forms.ChoiceField(
        label=_("海报"),
        choices=KINDS,
        initial="stations",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择站点海报或代表海报。"),
            "invalid_choice": _("请选择站点海报或代表海报。"),
        },
    )
    field_order = ["region", "kind", "size"]

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: (
            r.name if r.level == "district" else f"　{r.name}"
        )
