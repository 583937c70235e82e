"""What the router's page reads: its versions, the training rows by source and category,
and the districts whose auto-routing the user may set."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _

from zhitong.insights.models import Example, RouterVersion
from zhitong.regions.lookups import districts_in_scope
from zhitong.regions.models import Region
from zhitong.units.models import Category


def versions():
    return RouterVersion.objects.defer("blob").select_related("trained_by").order_by("-number")


def examples_by_source() -> dict[str, int]:
    counts = dict(Example.objects.values_list("source").annotate(n=Count("id")))
    return {value: counts.get(value, 0) for value in Example.Source.values}


def staff_rows_by_process() -> dict[str, int]:
    """Staff's decisions (confirmed or corrected) by the process they came from."""
    counts = dict(
        Example.objects.filter(source__in=[Example.Source.CONFIRMED, Example.Source.CORRECTED])
        .values_list("process")
        .annotate(n=Count("id"))
    )
    return {"opinions": counts.get("opinions", 0), "suggestions": counts.get("suggestions", 0)}


def examples_by_label() -> list[dict]:
    """Each category's training rows (seed, confirmed, corrected), most first."""
    rows = (
        Example.objects.values("label")
        .annotate(
            total=Count("id"),
            seed=Count("id", filter=Q(source=Example.Source.SEED)),
            confirmed=Count("id", filter=Q(source=Example.Source.CONFIRMED)),
            corrected=Count("id", filter=Q(source=Example.Source.CORRECTED)),
        )
        .order_by("-total", "label")
    )
    names = category_names([r["label"] for r in rows])
    return [{**r, "name": names.get(r["label"], r["label"])} for r in rows]


def category_names(codes) -> dict[str, str]:
    return {
        c.code: str(c)
        for c in Category.objects.filter(code__in=list(codes)).select_related("parent")
    }


def settings_districts(user) -> list[Region]:
    """The districts whose auto-routing the user may set."""
    return districts_in_scope(user) if user.has_perm("insights.retrain_router") else []


def pick_district(districts: list[Region], code: str | None) -> Region | None:
    if not districts:
        return None
    if not code:
        return districts[0]
    for district in districts:
        if district.code == code:
            return district
    raise Http404(_("找不到该区。"))
