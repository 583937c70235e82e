"""Reading suggestions (代表建议), checked against who asks."""

from django.http import Http404
from django.utils.translation import gettext as _

from zhitong.suggestions.models import Suggestion


def access_suggestion(user, pk) -> Suggestion:
    """The suggestion `pk` if `user` may see it; one "not found" whether it does not exist
    or is not theirs."""
    suggestion = Suggestion.objects.select_related("lead_deputy", "district").filter(pk=pk).first()
    if suggestion is None or not user.has_perm("suggestions.view_suggestion", suggestion):
        raise Http404(_("找不到该建议。"))
    return suggestion
