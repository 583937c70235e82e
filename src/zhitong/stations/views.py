"""Private station pages (站点内部页面): the scoped list and one station with everything staff need."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from zhitong.core.events import events_for
from zhitong.stations import selectors, services
from zhitong.stations.forms import RotaLineForm
from zhitong.stations.hours import read_hours
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
        {
            "form": form,
            "page_obj": page_obj,
            "filtered": bool(street_id or kind),
            "prints_posters": request.user.is_superuser
            or request.user.has_perm("stations.print_region_posters", request.user.region),
        },
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
            "keeps_rota": request.user.has_perm("stations.change_rota", station),
            "prints_poster": request.user.has_perm("stations.print_station_poster", station),
            # Staff and the street committee print the posters of the station's deputies.
            "prints_deputy_posters": request.user.has_perm(
                "stations.print_region_posters", station.region
            ),
            "events": list(events_for(station).reverse()[:50]),
            **selectors.station_detail_parts(station),
        },
    )


# --- the duty rota (值班表) ------------------------------------------------------------------


def _line_args(form: RotaLineForm) -> dict:
    data = form.cleaned_data
    return {
        "deputy": data["deputy"],
        "weekday": data["weekday"],
        "period": data["period"],
        "valid_from": data["valid_from"],
        "valid_until": data["valid_until"],
    }


def _refused(form: RotaLineForm, error: services.RotaError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rota_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A station's rota by weekday and period, with the form that adds a line."""
    station = selectors.access_rota(request.user, pk)
    form = RotaLineForm(request.POST or None, station=station)
    if request.method == "POST" and form.is_valid():
        try:
            services.rota_add(station=station, by=request.user, **_line_args(form))
        except services.RotaError as error:
            _refused(form, error)
        else:
            messages.success(request, _g("已添加轮值安排。"))
            return redirect("stations:rota", pk=station.pk)
    return render(
        request,
        "stations/rota.html",
        {
            "station": station,
            "week": selectors.rota_week(station),
            "hours": read_hours(station.opening_hours),
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rota_edit_view(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """Change one line of the rota."""
    station = selectors.access_rota(request.user, pk)
    line = selectors.rota_line(station, line_pk)
    form = RotaLineForm(request.POST or None, station=station, line=line)
    if request.method == "POST" and form.is_valid():
        try:
            services.rota_change(line=line, by=request.user, **_line_args(form))
        except services.RotaError as error:
            _refused(form, error)
        else:
            messages.success(request, _g("已修改轮值安排。"))
            return redirect("stations:rota", pk=station.pk)
    return render(
        request,
        "stations/rota_line.html",
        {"station": station, "line": line, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rota_remove_view(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """Take one line off the rota, after asking."""
    station = selectors.access_rota(request.user, pk)
    line = selectors.rota_line(station, line_pk)
    if request.method == "POST":
        services.rota_remove(line=line, by=request.user)
        messages.success(request, _g("已删除轮值安排。"))
        return redirect("stations:rota", pk=station.pk)
    return render(request, "stations/rota_remove.html", {"station": station, "line": line})
