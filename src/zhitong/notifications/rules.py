"""Who may do what in the notification centre. Everyone signed in reads their own centre;
choosing how to hear of kinds of events (新意见 ...) is for the roles a kind is offered to.

- notifications.choose_preferences   the preferences of the notification settings page
"""

import rules

from zhitong.notifications.kinds import kinds_for


@rules.predicate
def has_event_kinds(user) -> bool:
    """Some kind of event is offered to the user's role (citizens and units have none yet)."""
    return bool(kinds_for(user))


rules.add_perm("notifications.choose_preferences", rules.is_authenticated & has_event_kinds)
