"""The reply-quality aid on the case page (insights.replies): for those who review replies,
each unit's reply scored on relevance, completeness, explainability and timeliness against
its opinion and its referral's time limit, with the reasons. An aid, never a verdict: it is
shown beside the reply and decides nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy

from zhitong.insights import replies as scoring
from zhitong.insights.topics import background_words
from zhitong.opinions.models import Opinion

# The parts of an explained reply (insights.replies.PARTS), as reviewers read them.
PART_LABELS = {
    "reasons": gettext_lazy("调查结果或原因"),
    "policy": gettext_lazy("政策法规依据"),
    "steps": gettext_lazy("具体措施"),
    "dates": gettext_lazy("时间节点或期限"),
}


@dataclass
class Shown:
    quality: scoring.Quality

    def _row(self, score):
        return {"percent": round(score * 100), "level": scoring.Quality.level(score)}

    @property
    def relevance(self):
        return self._row(self.quality.relevance)

    @property
    def completeness(self):
        return self._row(self.quality.completeness)

    @property
    def explainability(self):
        return self._row(self.quality.explainability)

    @property
    def timeliness(self):
        score = self.quality.timeliness
        return None if score is None else self._row(score)

    @property
    def answered(self) -> int:
        return self.quality.points - len(self.quality.unanswered)

    @property
    def present_labels(self) -> list[str]:
        return [str(PART_LABELS[p]) for p in self.quality.present]

    @property
    def missing_labels(self) -> list[str]:
        return [str(PART_LABELS[p]) for p in self.quality.missing]


def _days(reply) -> tuple[float | None, float | None]:
    """Calendar days the unit took (from its referral to the reply) and were allowed."""
    assignment = reply.assignment
    if assignment is None or assignment.assigned_at is None:
        return None, None
    start = timezone.localdate(assignment.assigned_at)
    taken = (timezone.localdate(reply.created_at) - start).days
    allowed = (assignment.due_date - start).days if assignment.due_date else None
    return float(taken), float(allowed) if allowed and allowed > 0 else None


def attach(opinion: Opinion, replies) -> None:
    """Give each unit reply among `replies` its `quality` (replies on the spot get none)."""
    background = background_words()
    for reply in replies:
        if reply.on_the_spot or not reply.assignment_id:
            reply.quality = None
            continue
        days, limit = _days(reply)
        reply.quality = Shown(
            scoring.assess(
                title=opinion.subject,
                text=opinion.content,
                reply=reply.text,
                days=days,
                limit_days=limit,
                background=background,
            )
        )
