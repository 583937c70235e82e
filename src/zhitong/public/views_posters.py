"""Posters (张贴海报) on the work pages: one station's or deputy's as a PDF, and every poster
of a street or district in one PDF (built here when small, by the task worker when large).

Who may print: staff and system administrators every poster in their region; a street
committee those of its street; a liaison the posters of the stations they keep; a deputy
their own. A station outside the user's scope answers 404, as on the station pages.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from zhitong.core.jobs import job_start
from zhitong.core.scoping import is_unrestricted, scope_region_path
from zhitong.deputies.models import Deputy
from zhitong.public import jobs, posters
from zhitong.public.forms import PosterSizeForm, RegionPostersForm
from zhitong.public.pdf import pdf_unavailable
from zhitong.regions.models import Region, RegionLevel
from zhitong.stations.models import Station
from zhitong.stations.selectors import access_station

# Up to this many posters are built in the request (about five seconds); more go to the task
# worker, with their progress on the job's page (a district's 208 stations: some 15 s).
INLINE_MAX_POSTERS = 40


def _unavailable(request: HttpRequest) -> HttpResponse | None:
    reason = pdf_unavailable()
    if not reason:
        return None
    return render(request, "public/posters/unavailable.html", {"reason": reason}, status=503)


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _size(request: HttpRequest) -> tuple[str | None, PosterSizeForm]:
    form = PosterSizeForm(request.GET)
    return (form.cleaned_data["size"] if form.is_valid() else None), form


def _bad_size(request: HttpRequest, form: PosterSizeForm, back: str) -> HttpResponse:
    return render(
        request, "public/posters/bad_request.html", {"form": form, "back": back}, status=400
    )


def station_back(station: Station) -> str:
    return reverse("stations:detail", args=[station.pk])


@login_required
@require_safe
def station_poster_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One station's poster: ?size=a4 (default) or a5."""
    station = access_station(request.user, pk)
    if not request.user.has_perm("stations.print_station_poster", station):
        raise PermissionDenied
    size, form = _size(request)
    if size is None:
        return _bad_size(request, form, station_back(station))
    if (refusal := _unavailable(request)) is not None:
        return refusal
    data = posters.posters_pdf([posters.station_poster(station)], size, title=station.name)
    return _pdf(data, posters.poster_file_name(station.name, size))


def access_deputy_poster(user, pk) -> Deputy:
    """The deputy `pk` if `user` may print their poster; the same 404 otherwise."""
    deputy = Deputy.objects.select_related("district").filter(pk=pk).first()
    if deputy is None or not user.has_perm("deputies.print_deputy_poster", deputy):
        raise Http404("no such deputy")
    return deputy


@login_required
@require_safe
def deputy_poster_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One deputy's poster (一码一代表): ?size=a4 (default) or a5."""
    deputy = access_deputy_poster(request.user, pk)
    size, form = _size(request)
    if size is None:
        return _bad_size(request, form, "")
    if (refusal := _unavailable(request)) is not None:
        return refusal
    data = posters.posters_pdf([posters.deputy_poster(deputy)], size, title=deputy.name)
    return _pdf(data, posters.poster_file_name(deputy.name, size))


def printable_regions(user):
    """The districts and streets whose posters `user` may print in one file."""
    regions = Region.objects.filter(level__in=(RegionLevel.DISTRICT, RegionLevel.STREET))
    if not is_unrestricted(user):
        path = scope_region_path(user)
        if path is None or not user.has_perm("stations.print_region_posters", user.region):
            return regions.none()
        regions = regions.filter(path__startswith=path)
    # Only streets with a station and their districts: the rest would print an empty file.
    streets = Station.objects.values("street_id")
    districts = Region.objects.filter(pk__in=streets).values("parent_id")
    return regions.filter(Q(pk__in=streets) | Q(pk__in=districts)).order_by("path")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def region_posters_view(request: HttpRequest) -> HttpResponse:
    """Every poster of a street or district in one PDF, one poster a page."""
    regions = printable_regions(request.user)
    if not regions.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    form = RegionPostersForm(data if "region" in data else None, regions=regions)
    context = {"form": form, "inline_max": INLINE_MAX_POSTERS, "reason": pdf_unavailable()}
    if not form.is_bound:
        return render(request, "public/posters/region.html", context)
    if not form.is_valid():
        return render(request, "public/posters/region.html", context, status=400)
    if (refusal := _unavailable(request)) is not None:
        return refusal
    region, kind, size = (form.cleaned_data[k] for k in ("region", "kind", "size"))
    label = jobs.region_posters_label(region, kind, size)
    if request.method == "POST":
        job = job_start(
            kind=jobs.POSTERS,
            by=request.user,
            label=label,
            params={"region": region.pk, "kind": kind, "size": size},
        )
        return redirect("core:job", pk=job.pk)
    count = posters.region_poster_count(region, kind)
    if count > INLINE_MAX_POSTERS:
        context.update({"count": count, "label": label})
        return render(request, "public/posters/region.html", context)
    if count == 0:
        context["empty"] = True
        return render(request, "public/posters/region.html", context)
    poster_file = jobs.region_posters_file(region, kind, size)
    return _pdf(poster_file.data, poster_file.name)
