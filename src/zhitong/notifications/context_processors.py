"""Template context for the nav: the signed-in user's unread notification count."""

from functools import cache

from zhitong.notifications.selectors import unread_count


def unread_notifications(request) -> dict:
    """`notifications_unread`: counted on first use only, so pages that never show it pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    # Templates call a callable each time they look it up; cache makes that one query.
    @cache
    def count() -> int:
        return unread_count(user)

    return {"notifications_unread": count}
