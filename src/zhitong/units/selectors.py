"""Reads of handling units (承办单位), always scoped to the user who asks."""

from django.db.models import QuerySet
from django.http import Http404

from zhitong.core.scoping import ScopeKind, scope_by_region, work_scope
from zhitong.units.models import HandlingUnit


def units_visible_to(user) -> QuerySet[HandlingUnit]:
    """The units `user` may see: a unit account only its own; region roles their subtree."""
    units = HandlingUnit.objects.all()
    scope = work_scope(user)
    if scope.kind in (ScopeKind.ALL, ScopeKind.REGION):
        return scope_by_region(units, user, "region")
    if scope.kind == ScopeKind.UNIT and scope.unit_id is not None:
        return units.filter(pk=scope.unit_id)
    return units.none()


def access_unit(user, pk) -> HandlingUnit:
    """The unit `pk` if `user` may see it; one uniform 404 otherwise."""
    try:
        return units_visible_to(user).select_related("region").get(pk=pk)
    except (HandlingUnit.DoesNotExist, ValueError, TypeError):
        raise Http404("no such unit") from None
