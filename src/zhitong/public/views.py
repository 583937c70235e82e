"""Public pages (no login): station and deputy directories, their pages, QR codes, opinion entry points."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from zhitong.public import qr
from zhitong.public.forms import DeputyFilterForm, StationFilterForm
from zhitong.stations import directory as selectors

PAGE_SIZE = 20
# Printed codes and pages showing them fetch the image often; it changes only
# if a code is retired, which the 404 answers anyway.
QR_MAX_AGE = 86400


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@require_safe
def index(request):
    streets = selectors.streets_with_stations()
    return render(
        request,
        "public/index.html",
        {
            "counts": selectors.public_counts(),
            "station_form": StationFilterForm(streets=streets),
        },
    )


@require_safe
def station_list(request):
    form = StationFilterForm(request.GET or None, streets=selectors.streets_with_stations())
    filters = form.filters() if form.is_bound else {}
    page = _page(request, selectors.station_list(**filters))
    return render(
        request,
        "public/station_list.html",
        {"form": form, "page": page, "filtered": any(filters.values())},
    )


@require_safe
def station_detail(request, public_code):
    station = selectors.station_get(public_code)
    return render(
        request,
        "public/station_detail.html",
        {
            "station": station,
            "communities": selectors.station_communities(station),
            "duty_today": selectors.station_duty_today(station),
            "week": selectors.station_week_rota(station),
            "assignments": selectors.station_deputies(station),
            "qr_target": qr.station_target(station.public_code),
        },
    )


@require_safe
def deputy_list(request):
    form = DeputyFilterForm(request.GET or None, streets=selectors.streets_with_stations())
    filters = form.filters() if form.is_bound else {}
    page = _page(request, selectors.deputy_list(**filters))
    return render(
        request,
        "public/deputy_list.html",
        {"form": form, "page": page, "filtered": any(filters.values())},
    )


@require_safe
def deputy_detail(request, public_code):
    deputy = selectors.deputy_get(public_code)
    return render(
        request,
        "public/deputy_detail.html",
        {
            "deputy": deputy,
            "levels": selectors.levels_of(deputy),
            "duty": selectors.deputy_duty(deputy),
            "today": timezone.localdate(),
            "qr_target": qr.deputy_target(deputy.public_code),
        },
    )


def _qr_response(request, *, target: str, fmt: str, filename: str) -> HttpResponse:
    etag = qr.qr_etag(target, fmt)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        response = not_modified
    else:
        response = HttpResponse(qr.qr_cached(target, fmt), content_type=qr.FORMATS[fmt])
        if request.GET.get("download"):
            response["Content-Disposition"] = content_disposition_header(True, filename)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=QR_MAX_AGE)
    return response


@require_safe
def station_qr(request, public_code, format):
    if not selectors.station_is_public(public_code):
        raise Http404("station not found")
    return _qr_response(
        request,
        target=qr.station_target(public_code),
        fmt=format,
        filename=f"zhitong-station-{public_code}.{format}",
    )


@require_safe
def deputy_qr(request, public_code, format):
    if not selectors.deputy_is_public(public_code):
        raise Http404("deputy not found")
    return _qr_response(
        request,
        target=qr.deputy_target(public_code),
        fmt=format,
        filename=f"zhitong-deputy-{public_code}.{format}",
    )
