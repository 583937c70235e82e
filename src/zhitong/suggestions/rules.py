"""Who may see a suggestion draft (代表建议): its lead deputy, and region staff whose
scope holds its district."""

import rules

from zhitong.accounts.rules import is_region_staff
from zhitong.core.scoping import region_in_scope


@rules.predicate
def leads_suggestion(user, suggestion) -> bool:
    return (
        suggestion is not None
        and user.is_authenticated
        and suggestion.lead_deputy.user_id == user.pk
    )


@rules.predicate
def suggestion_in_scope(user, suggestion) -> bool:
    return suggestion is not None and region_in_scope(user, suggestion.district)


rules.add_perm(
    "suggestions.view_suggestion", leads_suggestion | (is_region_staff & suggestion_in_scope)
)
