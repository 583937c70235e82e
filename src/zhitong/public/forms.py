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
