"""Who may see and act on a suggestion (代表建议). The suggestion's state is checked apart
(zhitong.suggestions.lifecycle).

- The lead deputy (领衔代表): their own, from the first draft; edits, invites, submits,
  rates, chases.
- A co-signer (联名代表): invited or joined, sees it and chases; never edits.
- The street working committee (街道人大工委): the suggestions of its own street once
  submitted; reviews them first, and chases.
- District staff (代表工委, 办公室): every suggestion of their districts once submitted;
  review, register, assign, supervise, verify, review quality.
- Leaders (主任会议成员): see those of their districts once submitted; supervise the key
  ones they lead (领衔督办).
- A handling unit: only what was assigned to it (not withdrawn), through handling's rules.
"""

import rules

from zhitong.accounts.rules import (
    is_admin,
    is_committee_staff,
    is_leader,
    is_street_committee,
    is_unit_account,
)
from zhitong.core.scoping import is_unrestricted, region_in_scope


def _deputy_user(deputy) -> int | None:
    return deputy.user_id if deputy is not None else None


@rules.predicate
def leads_suggestion(user, suggestion) -> bool:
    return (
        suggestion is not None
        and user.is_authenticated
        and _deputy_user(suggestion.lead_deputy) == user.pk
    )


def _cosigner_state(user, suggestion) -> str | None:
    if suggestion is None or not user.is_authenticated:
        return None
    for cosigner in suggestion.cosigners.all():
        if cosigner.deputy.user_id == user.pk:
            return cosigner.state
    return None


@rules.predicate
def cosigns_suggestion(user, suggestion) -> bool:
    """Invited (to decide) or joined."""
    return _cosigner_state(user, suggestion) in ("invited", "accepted")


@rules.predicate
def has_joined(user, suggestion) -> bool:
    return _cosigner_state(user, suggestion) == "accepted"


@rules.predicate
def is_invited(user, suggestion) -> bool:
    return _cosigner_state(user, suggestion) == "invited"


@rules.predicate
def submitted(user, suggestion) -> bool:
    return suggestion is not None and suggestion.status not in ("draft", "withdrawn")


@rules.predicate
def in_district_scope(user, suggestion) -> bool:
    return suggestion is not None and region_in_scope(user, suggestion.district)


@rules.predicate
def of_own_street(user, suggestion) -> bool:
    """The suggestion's street is the street committee's own (or lies in its region)."""
    return (
        suggestion is not None
        and suggestion.street_id is not None
        and region_in_scope(user, suggestion.street)
    )


@rules.predicate
def leads_its_supervision(user, suggestion) -> bool:
    return (
        suggestion is not None
        and suggestion.is_key
        and suggestion.key_leader_id is not None
        and suggestion.key_leader_id == user.pk
    )


@rules.predicate
def assigned_to_own_unit(user, suggestion) -> bool:
    unit_id = getattr(user, "unit_id", None)
    if suggestion is None or unit_id is None or suggestion.case_id is None:
        return False
    from zhitong.handling.models import Assignment

    return (
        Assignment.objects.filter(case_id=suggestion.case_id, unit_id=unit_id)
        .exclude(state=Assignment.State.WITHDRAWN)
        .exists()
    )


@rules.predicate
def is_government_office(user, suggestion) -> bool:
    """A unit account of the district's government office (区政府办公室), which confirms
    assignments (交办)."""
    unit_id = getattr(user, "unit_id", None)
    if suggestion is None or unit_id is None:
        return False
    from zhitong.suggestions.models import DistrictSettings

    return DistrictSettings.objects.filter(
        district_id=suggestion.district_id, government_office_id=unit_id
    ).exists()


@rules.predicate
def is_superuser(user) -> bool:
    return is_unrestricted(user)


district_staff = (is_committee_staff | is_admin | is_superuser) & in_district_scope
# Who does the committee's work on it (not the administrators, who keep accounts).
staff_of_district = (is_committee_staff | is_superuser) & in_district_scope
street_reviewer = is_street_committee & of_own_street

rules.add_perm(
    "suggestions.view_suggestion",
    leads_suggestion
    | cosigns_suggestion
    | (submitted & (district_staff | (is_leader & in_district_scope) | street_reviewer))
    | (is_unit_account & assigned_to_own_unit),
)
# Draft, invite, submit, withdraw: the lead deputy.
rules.add_perm("suggestions.edit_suggestion", leads_suggestion)
rules.add_perm("suggestions.cosign_suggestion", is_invited | has_joined)
rules.add_perm("suggestions.review_street", street_reviewer)
rules.add_perm("suggestions.review_district", staff_of_district)
rules.add_perm("suggestions.manage_suggestion", staff_of_district)
rules.add_perm(
    "suggestions.confirm_assignment",
    (staff_of_district) | (is_unit_account & is_government_office),
)
rules.add_perm("suggestions.rate_suggestion", leads_suggestion)
rules.add_perm(
    "suggestions.chase_suggestion",
    leads_suggestion
    | has_joined
    | street_reviewer
    | (staff_of_district)
    | (is_leader & leads_its_supervision),
)
rules.add_perm(
    "suggestions.supervise_suggestion",
    (staff_of_district) | (is_leader & leads_its_supervision),
)
