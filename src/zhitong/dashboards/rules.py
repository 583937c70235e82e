"""Who may see the district at a glance (区情总览): the leader's home page, also open to
committee staff and administrators."""

import rules

from zhitong.accounts.rules import is_admin, is_committee_staff, is_leader
from zhitong.core.scoping import ScopeKind, is_unrestricted, work_scope
from zhitong.regions.models import RegionLevel


@rules.predicate
def works_on_whole_districts(user) -> bool:
    """A scope of whole districts (a district or above): the scopes whose units' work the
    statistics show (handling.figures.unit_assignments_in_scope)."""
    scope = work_scope(user)
    if scope.kind == ScopeKind.ALL:
        return True
    wide = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.DISTRICT)
    return scope.kind == ScopeKind.REGION and scope.region_level in wide


rules.add_perm(
    "dashboards.view_overview",
    rules.predicate(is_unrestricted)
    | ((is_leader | is_committee_staff | is_admin) & works_on_whole_districts),
)
