"""Who may act on handling rows: the shared predicates every process's rules build on."""

import rules

from zhitong.accounts.rules import is_unit_account


@rules.predicate
def is_assignment_unit(user, assignment) -> bool:
    """The assignment is to the user's own unit."""
    unit_id = getattr(user, "unit_id", None)
    return assignment is not None and unit_id is not None and assignment.unit_id == unit_id


# `user.has_perm("handling.handle_assignment", assignment)`: sign for, return, reply, ask
# for more time — a unit account of the assigned unit.
is_handling_unit = is_unit_account & is_assignment_unit
rules.add_perm("handling.handle_assignment", is_handling_unit)
