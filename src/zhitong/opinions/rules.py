"""Who may do what with opinions (群众意见建议): the permissions of this process, built on the
shared predicates of zhitong.accounts.rules (roles and scopes)."""

import rules

from zhitong.accounts.rules import (
    assigned_to_station,
    in_scope,
    is_admin,
    is_committee_staff,
    is_deputy,
    is_liaison,
    is_recording_staff,
    is_region_staff,
    is_unit_account,
    keeps_station,
)
from zhitong.core.scoping import region_in_scope
from zhitong.handling.models import Assignment
from zhitong.handling.rules import is_handling_unit
from zhitong.stations.models import StationAssignment

# --- Opinions (群众意见建议) -------------------------------------------------------------
# Object-level twins of zhitong.opinions.selectors.opinions_visible_to; the access tests
# hold the two in agreement. The object is an Opinion unless the name says referral.
#
# - opinions.view_opinion         open the case page (and see the submitter's contacts)
# - opinions.triage_opinion       accept, decline, answer on the spot, review and send a reply
# - opinions.refer_opinion        refer, merge, change the category, decide an extension
# - opinions.raise_suggestion     raise it into a suggestion draft (a deputy's own)
# - opinions.handle_referral      (referral) sign for, return, reply, ask for more time


@rules.predicate
def opinion_in_scope(user, opinion) -> bool:
    """The opinion's district, or its street, lies in the user's region subtree."""
    if opinion is None:
        return False
    if region_in_scope(user, opinion.district):
        return True
    return opinion.street_id is not None and region_in_scope(user, opinion.street)


@rules.predicate
def addressed_to_deputy(user, opinion) -> bool:
    """Addressed to the user's deputy record, or to a station the deputy currently sits at."""
    if opinion is None or not user.is_authenticated:
        return False
    if opinion.deputy_id is not None and opinion.deputy.user_id == user.pk:
        return True
    if opinion.station_id is None:
        return False
    return (
        StationAssignment.objects.current()
        .filter(station_id=opinion.station_id, deputy__user=user)
        .exists()
    )


@rules.predicate
def at_kept_station(user, opinion) -> bool:
    """The opinion came to a station the user keeps as liaison (联络员)."""
    if opinion is None or opinion.station_id is None or not user.is_authenticated:
        return False
    return opinion.station.liaisons.filter(pk=user.pk).exists()


@rules.predicate
def referred_to_own_unit(user, opinion) -> bool:
    """The opinion has a referral (not withdrawn) to the user's unit."""
    unit_id = getattr(user, "unit_id", None)
    if opinion is None or unit_id is None:
        return False
    return (
        Assignment.objects.filter(opinion=opinion, unit_id=unit_id)
        .exclude(state=Assignment.State.WITHDRAWN)
        .exists()
    )


is_opinion_staff = is_region_staff & opinion_in_scope
is_opinion_deputy = is_deputy & addressed_to_deputy
is_opinion_liaison = is_liaison & at_kept_station

rules.add_perm(
    "opinions.view_opinion",
    is_opinion_staff
    | is_opinion_deputy
    | is_opinion_liaison
    | (is_unit_account & referred_to_own_unit),
)
rules.add_perm("opinions.triage_opinion", is_opinion_staff | is_opinion_deputy | is_opinion_liaison)
rules.add_perm("opinions.refer_opinion", is_opinion_staff)
rules.add_perm("opinions.raise_suggestion", is_opinion_deputy)
rules.add_perm("opinions.handle_referral", is_handling_unit)


# --- Recording opinions at a station (代表/联络员/工作人员录入) ------------------------


@rules.predicate
def station_is_active(user, station) -> bool:
    return bool(station is not None and station.is_active)


# `user.has_perm("opinions.record_opinion", station)`: may record an opinion received there.
rules.add_perm(
    "opinions.record_opinion",
    station_is_active
    & (
        (is_recording_staff & in_scope)
        | (is_liaison & keeps_station)
        | (is_deputy & assigned_to_station)
    ),
)


# --- A district's settings for its opinions (意见办理设置) -------------------------------


@rules.predicate
def district_in_scope(user, district) -> bool:
    return district is not None and region_in_scope(user, district)


# `user.has_perm("opinions.change_settings", district)`: the district's committee staff
# and administrators set how its opinions are handled (the days before 默认满意).
rules.add_perm(
    "opinions.change_settings",
    (is_admin | is_committee_staff) & is_region_staff & district_in_scope,
)
