"""Deputies' suggestions (代表建议): the transitions, one service each, each writing an event."""

from django.db import transaction
from django.utils.translation import gettext as _

from zhitong.core.events import event_record
from zhitong.opinions import services as opinion_services
from zhitong.suggestions.models import Suggestion
from zhitong.suggestions.verbs import SuggestionVerb


@transaction.atomic
def suggestion_raise_from_opinions(*, opinions, by, title: str, content: str = "") -> Suggestion:
    """A deputy raises one or more opinions into a suggestion draft (由意见提出建议草稿).

    The link is kept both ways: the draft names its opinions, and each opinion's timeline
    records that it was raised; the draft's own timeline starts with where it came from.
    """
    locked, deputy = opinion_services.opinions_for_raising(opinions=opinions, by=by)
    title = opinion_services.checked_text(
        title, field=_("建议标题"), limit=opinion_services.TITLE_LIMIT
    )
    content = opinion_services.checked_text(
        content, field=_("建议内容"), limit=opinion_services.TEXT_LIMIT, required=False
    )
    district = locked[0].district
    suggestion = Suggestion.objects.create(
        title=title, content=content, lead_deputy=deputy, district=district, created_by=by
    )
    suggestion.source_opinions.set(locked)
    event_record(
        actor=by,
        subject=suggestion,
        verb=SuggestionVerb.RAISED_FROM_OPINIONS,
        to_state=suggestion.status,
        data={"opinions": [{"id": o.pk, "tracking_code": o.tracking_code} for o in locked]},
        district_code=district.code,
    )
    opinion_services.opinions_raised(
        opinions=locked, by=by, suggestion_id=suggestion.pk, title=title
    )
    return suggestion
