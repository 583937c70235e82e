"""Computing a user's WorkScope (zhitong.core.scoping): the one place that turns a role and
its assignments into where the user works."""

from zhitong.core.roles import Role
from zhitong.core.scoping import NO_SCOPE, ScopeKind, WorkScope


def district_path(path: str) -> str:
    """The district prefix of a region path (the region itself when it is above one)."""
    codes = [c for c in path.split("/") if c]
    return "/".join(codes[:3]) + "/" if len(codes) >= 3 else path


def compute_work_scope(user) -> WorkScope:
    from zhitong.deputies.models import Deputy
    from zhitong.stations.models import Station, StationAssignment
    from zhitong.units.models import HandlingUnit

    if user.is_superuser:
        return WorkScope(ScopeKind.ALL, district_paths=None)
    if user.is_region_scoped:
        if user.region_id is None:
            return NO_SCOPE
        region = user.region
        return WorkScope(
            ScopeKind.REGION,
            region_path=region.path,
            region_level=region.level,
            region_id=region.pk,
            district_paths=(district_path(region.path),),
        )
    if user.role == Role.DEPUTY:
        found = Deputy.objects.filter(user=user).values_list("pk", "district__path").first()
        if found is None:
            return WorkScope(ScopeKind.DEPUTY)
        deputy_id, path = found
        stations = StationAssignment.objects.current().filter(deputy_id=deputy_id)
        return WorkScope(
            ScopeKind.DEPUTY,
            deputy_id=deputy_id,
            station_ids=tuple(sorted(set(stations.values_list("station_id", flat=True)))),
            district_paths=(district_path(path),),
        )
    if user.role == Role.LIAISON:
        kept = list(Station.objects.filter(liaisons=user).values_list("pk", "region__path"))
        return WorkScope(
            ScopeKind.STATIONS,
            station_ids=tuple(sorted(pk for pk, _ in kept)),
            district_paths=tuple(sorted({district_path(p) for _, p in kept})),
        )
    if user.role == Role.UNIT and user.unit_id is not None:
        paths = HandlingUnit.objects.filter(pk=user.unit_id).values_list("region__path", flat=True)
        return WorkScope(
            ScopeKind.UNIT,
            unit_id=user.unit_id,
            district_paths=tuple(sorted({district_path(p) for p in paths})),
        )
    return NO_SCOPE
