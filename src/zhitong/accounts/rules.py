"""Who may do what: every permission predicate of the platform, in one place (django-rules).

Object-level rules here answer "may this user see this object?"; the selectors answer
"which objects may this user see?" with the same conditions as queries. Tests hold the
two in agreement.

Permissions:
- stations.list_stations         open the private station list (/work/stations/)
- stations.view_station_private  open a station's private page (internal notes, rota)
- stations.view_station_contacts see deputies' mobile numbers on that page
- stations.change_rota           keep a station's duty rota (值班表) on the work pages
- stations.print_station_poster  print a station's poster (张贴海报)
- stations.print_region_posters  print every poster of a street or district in one file
- deputies.print_deputy_poster   print a deputy's poster
- units.view_unit                see a handling unit's details
- deputies.view_deputy_private   see a deputy's private data (mobile, ID tail)
"""

import rules

from zhitong.accounts.models import REGION_ROLES, Role
from zhitong.core.scoping import is_unrestricted, region_in_scope

# --- who the user is -------------------------------------------------------------


@rules.predicate
def is_active_account(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _role_predicate(role: Role):
    @rules.predicate(name=f"has_role_{role.value}")
    def has_role(user) -> bool:
        return bool(user.is_authenticated and user.is_active and user.role == role)

    return has_role


is_admin = _role_predicate(Role.ADMIN)
is_committee_staff = _role_predicate(Role.STAFF)
is_leader = _role_predicate(Role.LEADER)
is_street_committee = _role_predicate(Role.STREET)
is_liaison = _role_predicate(Role.LIAISON)
is_deputy = _role_predicate(Role.DEPUTY)
is_unit_account = _role_predicate(Role.UNIT)
is_citizen = _role_predicate(Role.CITIZEN) | _role_predicate(Role.ENTERPRISE)


@rules.predicate
def is_region_staff(user) -> bool:
    """A region-scoped role (admin, staff, leader, street) with a region set, or a superuser."""
    if is_unrestricted(user):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in REGION_ROLES
        and user.region_id is not None
    )


# --- how the user relates to the object --------------------------------------------


def region_of(obj):
    """The region an object is scoped by: a station's place, a unit's or deputy's district."""
    from zhitong.deputies.models import Deputy
    from zhitong.regions.models import Region

    if obj is None:
        return None
    if isinstance(obj, Region):
        return obj
    if isinstance(obj, Deputy):
        return obj.district
    return getattr(obj, "region", None)


@rules.predicate
def in_scope(user, obj) -> bool:
    """The object's region lies in the user's region subtree."""
    return region_in_scope(user, region_of(obj))


@rules.predicate
def keeps_station(user, station) -> bool:
    """The user is a liaison (联络员) of this station."""
    if station is None or not user.is_authenticated:
        return False
    return station.liaisons.filter(pk=user.pk).exists()


@rules.predicate
def assigned_to_station(user, station) -> bool:
    """The user's deputy record is currently assigned to this station (进站)."""
    from zhitong.stations.models import StationAssignment

    if station is None or not user.is_authenticated:
        return False
    return StationAssignment.objects.current().filter(station=station, deputy__user=user).exists()


@rules.predicate
def is_own_unit(user, unit) -> bool:
    unit_id = getattr(user, "unit_id", None)
    return unit is not None and unit_id is not None and unit_id == unit.pk


@rules.predicate
def is_own_deputy(user, deputy) -> bool:
    return deputy is not None and deputy.user_id is not None and deputy.user_id == user.pk


@rules.predicate
def deputy_in_scope(user, deputy) -> bool:
    """The deputy's district is in scope, or the deputy sits at a station in scope.

    The second branch is what lets street staff see the deputies of their street,
    whose district lies above the street.
    """
    from zhitong.stations.models import StationAssignment

    if deputy is None:
        return False
    if region_in_scope(user, deputy.district):
        return True
    if is_unrestricted(user) or user.region_id is None:
        return False
    return (
        StationAssignment.objects.current()
        .filter(deputy=deputy, station__region__path__startswith=user.region.path)
        .exists()
    )


# --- permissions ---------------------------------------------------------------------

rules.add_perm("stations.list_stations", is_region_staff | is_liaison | is_deputy)
rules.add_perm(
    "stations.view_station_private",
    (is_region_staff & in_scope) | (is_liaison & keeps_station) | (is_deputy & assigned_to_station),
)
# Deputies see their station's page but not their colleagues' phone numbers.
rules.add_perm(
    "stations.view_station_contacts",
    (is_region_staff & in_scope) | (is_liaison & keeps_station),
)

# Who keeps stations and their walls: system administrators, committee staff and street
# committees in their region (leaders direct, they don't keep rotas), and each station's
# liaisons.
STATION_KEEPING_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.STREET})


@rules.predicate
def is_station_keeping_staff(user) -> bool:
    if is_unrestricted(user):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in STATION_KEEPING_ROLES
        and user.region_id is not None
    )


rules.add_perm(
    "stations.change_rota", (is_station_keeping_staff & in_scope) | (is_liaison & keeps_station)
)
rules.add_perm(
    "stations.print_station_poster",
    (is_station_keeping_staff & in_scope) | (is_liaison & keeps_station),
)
# The object is a region (a street or a district).
rules.add_perm("stations.print_region_posters", is_station_keeping_staff & in_scope)
rules.add_perm(
    "deputies.print_deputy_poster",
    (is_station_keeping_staff & deputy_in_scope) | (is_deputy & is_own_deputy),
)
rules.add_perm("units.view_unit", (is_region_staff & in_scope) | (is_unit_account & is_own_unit))
rules.add_perm(
    "deputies.view_deputy_private",
    (is_region_staff & deputy_in_scope) | (is_deputy & is_own_deputy),
)


# --- recording at stations (shared by the processes that take what citizens bring) ------

# Region roles that record opinions; leaders direct, they don't record.
RECORDING_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.STREET})


@rules.predicate
def is_recording_staff(user) -> bool:
    if is_unrestricted(user):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in RECORDING_ROLES
        and user.region_id is not None
    )


# --- audit (读取记录) ----------------------------------------------------------------------

# Auditors are named by membership of this group (given in the admin); system
# administrators read the records too.
AUDIT_GROUP = "审计员"


@rules.predicate
def is_auditor(user) -> bool:
    return is_active_account(user) and user.groups.filter(name=AUDIT_GROUP).exists()


rules.add_perm("core.view_access_records", is_admin | is_auditor)


# --- managing accounts: invitations (首次登录邀请) and unlocking (解除锁定) ------------------


def can_invite(user, account=None) -> bool:
    """May `user` create roster accounts and (re)send invitations; to `account` if given.

    Administrators and committee staff of a region, the offices that keep the rosters
    (the importers), for the deputies', liaisons' and unit handlers' accounts of their
    region subtree (accounts.selectors.roster_accounts_in_scope)."""
    from zhitong.accounts.selectors import INVITER_ROLES, roster_accounts_in_scope

    if not (user.is_authenticated and user.is_active):
        return False
    if not is_unrestricted(user) and (user.role not in INVITER_ROLES or user.region_id is None):
        return False
    return account is None or roster_accounts_in_scope(user).filter(pk=account.pk).exists()


def can_unlock(user, account=None) -> bool:
    """May `user` lift a login lockout; of `account` if given.

    A region's administrator for the accounts of the region subtree, and its committee
    staff for those accounts but administrators' (accounts.selectors.unlockable_accounts);
    a superuser for all."""
    from zhitong.accounts.selectors import unlockable_accounts

    if not (user.is_authenticated and user.is_active):
        return False
    if not is_unrestricted(user) and (
        user.role not in (Role.ADMIN, Role.STAFF) or user.region_id is None
    ):
        return False
    return account is None or unlockable_accounts(user).filter(pk=account.pk).exists()
