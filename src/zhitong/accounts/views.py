"""Views of the accounts app: the home page (工作台), one per role."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhitong.accounts import selectors
from zhitong.accounts.models import Role
from zhitong.stations.selectors import station_list
from zhitong.units.selectors import units_visible_to

PAGE_SIZE = 25


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _admin_home(request: HttpRequest) -> dict:
    return {"counts": selectors.admin_overview(request.user)}


def _overview_home(request: HttpRequest) -> dict:
    return {
        "totals": selectors.scope_totals(request.user),
        "page_obj": _page(request, selectors.streets_overview(request.user), size=50),
    }


def _street_home(request: HttpRequest) -> dict:
    return {
        "stations": list(station_list(request.user)),
        "page_obj": _page(request, selectors.street_deputies(request.user)),
    }


def _liaison_home(request: HttpRequest) -> dict:
    today = timezone.localdate()
    return {"today": today, "stations": list(selectors.liaison_stations(request.user, on=today))}


def _deputy_home(request: HttpRequest) -> dict:
    return {"deputy": selectors.deputy_home(request.user)}


def _unit_home(request: HttpRequest) -> dict:
    return {"unit": units_visible_to(request.user).select_related("region").first()}


def _citizen_home(request: HttpRequest) -> dict:
    return {}


# role -> (template, context builder). Staff and leaders share the district overview.
HOMES: dict[str, tuple[str, Callable[[HttpRequest], dict]]] = {
    Role.ADMIN: ("accounts/home/admin.html", _admin_home),
    Role.STAFF: ("accounts/home/overview.html", _overview_home),
    Role.LEADER: ("accounts/home/overview.html", _overview_home),
    Role.STREET: ("accounts/home/street.html", _street_home),
    Role.LIAISON: ("accounts/home/liaison.html", _liaison_home),
    Role.DEPUTY: ("accounts/home/deputy.html", _deputy_home),
    Role.UNIT: ("accounts/home/unit.html", _unit_home),
    Role.CITIZEN: ("accounts/home/citizen.html", _citizen_home),
    Role.ENTERPRISE: ("accounts/home/citizen.html", _citizen_home),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's home page: what their role works on now."""
    user = request.user
    # A superuser made with createsuperuser carries the default citizen role; they run the site.
    role = Role.ADMIN if user.is_superuser else user.role
    template, build = HOMES.get(role, HOMES[Role.CITIZEN])
    context = {
        "role": role,
        "role_label": Role(role).label,
        "missing_scope": user.is_region_scoped and user.region_id is None and not user.is_superuser,
        **build(request),
    }
    return render(request, template, context)
