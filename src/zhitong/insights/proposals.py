"""The router's proposals as staff see them, for any process: the category's name and code
(units.Category), how sure, by which version; made in one batch for rows without one."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from zhitong.insights import services
from zhitong.units.models import Category

logger = logging.getLogger("zhitong.insights.proposals")


@dataclass(frozen=True)
class Shown:
    """A proposal as staff see it: the category's name and code, and how sure."""

    code: str
    name: str
    confidence: float
    version: int
    # The category with that code (None when it is gone or inactive).
    category_id: int | None = None

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


def proposals(process: str, rows: Sequence[tuple[object, str, str]]) -> dict[int, Shown]:
    """The proposals for `rows` ((id, title, text)), by id, made now in one batch for those
    that have none; {} when there is no router or it fails (the page is shown without)."""
    if not rows:
        return {}
    try:
        found = services.predictions_fill(process, rows)
    except Exception:
        logger.exception("proposing categories for %s failed", process)
        return {}
    if not found:
        return {}
    categories = {
        c.code: c for c in Category.objects.filter(code__in={p.label for p in found.values()})
    }
    return {
        int(object_id): Shown(
            p.label,
            categories[p.label].name if p.label in categories else p.label,
            p.confidence,
            p.version.number,
            categories[p.label].pk
            if p.label in categories and categories[p.label].is_active
            else None,
        )
        for object_id, p in found.items()
    }
