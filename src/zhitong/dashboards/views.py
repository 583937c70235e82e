"""The district at a glance (区情总览): the leader's home page, and the same page for
committee staff and administrators at /work/overview/."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhitong.dashboards import selectors
from zhitong.opinions import topics

HOT_TOPICS_SHOWN = 5

SORT_LABELS = {
    "on_time": gettext_lazy("按期答复率"),
    "satisfaction": gettext_lazy("满意率"),
    "overdue": gettext_lazy("超期件数"),
}


def overview_context(request: HttpRequest) -> dict:
    """What the page shows: the figures of this month and year, the very overdue and the
    key cases, the units ranked by ?sort= (selectors.LEAGUE_SORTS)."""
    user = request.user
    today = timezone.localdate()
    league = selectors.unit_league(user, today=today, sort=request.GET.get("sort", ""))
    return {
        "today": today,
        "periods": selectors.glance_periods(user, today=today),
        "overdue_now": selectors.overdue_now(user, today=today),
        "overdue_url": selectors.queue_url(deadline="overdue"),
        "very_overdue": selectors.very_overdue_cases(user, today=today),
        "key_cases": selectors.key_cases(user, today=today),
        "league": league,
        # The hottest topics of the recent opinions (opinions.topics), the first few.
        "hot_topics": topics.hot_topics(user)[:HOT_TOPICS_SHOWN],
        "hot_topics_days": topics.RECENT_DAYS,
        "league_sorts": [
            (key, SORT_LABELS[key], key == league.sort) for key in selectors.LEAGUE_SORTS
        ],
    }


def leader_home(request: HttpRequest) -> dict:
    """The leader's home page (registered with accounts' home by DashboardsConfig)."""
    return overview_context(request)


@login_required
@require_GET
def overview_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("dashboards.view_overview"):
        raise PermissionDenied(_("您的账号不能查看区情总览。"))
    return render(request, "dashboards/overview.html", overview_context(request))
