"""Who may import structure data (导入权限): the permission, and the question pages ask."""

import rules

from zhitong.accounts.models import Role
from zhitong.accounts.rules import region_in_scope

# --- Imports (导入权限) -------------------------------------------------------------

# Roles that keep the structure data of their region.
IMPORT_ROLES = frozenset({Role.ADMIN, Role.STAFF})


@rules.predicate
def has_import_role(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in IMPORT_ROLES
        and user.region_id is not None
    )


@rules.predicate
def import_target_in_scope(user, region) -> bool:
    """Without a region, the role check alone; with one, it must lie in the user's scope."""
    return region is None or region_in_scope(user, region)


# `user.has_perm("imports.run_import")` asks "may this user import at all";
# `user.has_perm("imports.run_import", region)` adds "into this region".
# Active superusers pass every has_perm check (Django's own rule), as the admin expects.
rules.add_perm("imports.run_import", has_import_role & import_target_in_scope)


def can_import(user, region=None) -> bool:
    return user.has_perm("imports.run_import", region)
