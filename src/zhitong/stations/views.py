"""Private station pages (站点内部页面): the scoped list and one station with everything staff need."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from zhitong.core.events import events_for
from zhitong.stations import selectors
from zhitong.stations.models import StationKind

PAGE_SIZE = 25


class StationFilterForm(forms.Form):
    """The list's filters; the street choices are only the streets the user can see."""

    street = forms.ModelChoiceField(
        label=_("所属街道"), queryset=None, required=False, empty_label=_("全部街道")
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部类型")), *StationKind.choices], required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = selectors.streets_for_filter(user)


@login_required
def station_list_view(request: HttpRequest) -> HttpResponse:
    """The stations in the user's scope, filtered by street and kind, paginated."""
    if not request.user.has_perm("stations.list_stations"):
        raise PermissionDenied
    form = StationFilterForm(request.GET or None, user=request.user)
    street_id, kind = None, ""
    if form.is_valid():
        street = form.cleaned_data["street"]
        street_id = street.pk if street else None
        kind = form.cleaned_data["kind"]
    stations = selectors.station_list(request.user, street_id=street_id, kind=kind)
    page_obj = Paginator(stations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stations/station_list.html",
        {"form": form, "page_obj": page_obj, "filtered": bool(street_id or kind)},
    )


@login_required
def station_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One station's private page: notes, deputies, rota, liaisons and history."""
    station = selectors.access_station(request.user, pk)
    return render(
        request,
        "stations/station_detail.html",
        {
            "station": station,
            "show_contacts": request.user.has_perm("stations.view_station_contacts", station),
            "events": list(events_for(station).reverse()[:50]),
            **selectors.station_detail_parts(station),
        },
    )
