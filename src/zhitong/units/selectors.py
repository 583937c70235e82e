"""Reads of handling units (承办单位), always scoped to the user who asks."""

from django.db.models import QuerySet
from django.http import Http404

from zhitong.core.roles import Role
from zhitong.core.scoping import is_unrestricted, scope_by_region
from zhitong.units.models import HandlingUnit


def units_visible_to(user) -> QuerySet[HandlingUnit]:
    """The units `user` may see: a unit account only its own; region roles their subtree."""
    units = HandlingUnit.objects.all()
    if not (user.is_authenticated and user.is_active):
        return units.none()
    if is_unrestricted(user) or user.is_region_scoped:
        return scope_by_region(units, user, "region")
    if user.role == Role.UNIT and user.unit_id is not None:
        return units.filter(pk=user.unit_id)
    return units.none()


def access_unit(user, pk) -> HandlingUnit:
    """The unit `pk` if `user` may see it; one uniform 404 otherwise."""
    try:
        return units_visible_to(user).select_related("region").get(pk=pk)
    except (HandlingUnit.DoesNotExist, ValueError, TypeError):
        raise Http404("no such unit") from None
