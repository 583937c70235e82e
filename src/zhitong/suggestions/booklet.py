"""The booklet (建议汇编): a session's registered suggestions in one PDF for the assignment
meeting: a cover (the district, the session), the contents grouped by category then
number with each suggestion's page, then each suggestion on its own pages with its
number, title, lead deputy and co-signers, category, proposed lead unit and co-units, and
its text.

Built by the task worker (`job_start(kind=BOOKLET_JOB, ...)`), with progress: the body is
laid out in chunks (each reports its suggestions done), each chunk's pages numbered on
from the last; the front matter is laid out last, when every suggestion's page is known.
Printed in Chinese with Debian's fonts-noto-cjk, embedded (WeasyPrint, `core.pdf`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from zhitong.core import pdf
from zhitong.core.jobs import JobFile, job_kind
from zhitong.suggestions.models import CongressSession, CoSigner, Suggestion
from zhitong.suggestions.selectors_staff import BOOKLET_JOB, REGISTERED_OR_LATER

# Suggestions laid out together (and reported done together).
CHUNK = 50

__all__ = ["BOOKLET_JOB", "booklet_entries", "booklet_label", "booklet_pdf", "build_booklet"]


@dataclass
class Entry:
    pk: int
    reference: str
    number: int
    during_session: bool
    title: str
    lead: str
    cosigners: list[str]
    category: str
    lead_unit: str
    co_units: list[str]
    content: str
    page: int = 0

    @property
    def anchor(self) -> str:
        return f"s{self.pk}"


@dataclass
class Group:
    category: str
    entries: list[Entry] = field(default_factory=list)


def booklet_label(session: CongressSession) -> str:
    return _("建议汇编：%(session)s") % {"session": session.short_name}


def booklet_entries(session: CongressSession) -> list[Entry]:
    """The session's suggestions registered or later, by category (its order, then code;
    the uncategorised last), then series (大会期间 first) and number; three queries."""
    suggestions = list(
        Suggestion.objects.filter(session=session, status__in=REGISTERED_OR_LATER)
        .exclude(number__isnull=True)
        .select_related("lead_deputy", "category", "proposed_lead", "session__term")
        .prefetch_related("proposed_co_units")
        .order_by(
            F("category__sort_order").asc(nulls_last=True),
            F("category__code").asc(nulls_last=True),
            "-during_session",
            "number",
        )
    )
    signers: dict[int, list[str]] = {}
    for row in (
        CoSigner.objects.filter(
            suggestion__in=[s.pk for s in suggestions], state=CoSigner.State.ACCEPTED
        )
        .order_by("invited_at", "id")
        .values_list("suggestion_id", "deputy__name")
    ):
        signers.setdefault(row[0], []).append(row[1])
    return [
        Entry(
            pk=s.pk,
            reference=s.reference,
            number=s.number or 0,
            during_session=s.during_session,
            title=s.title,
            lead=s.lead_deputy.name,
            cosigners=signers.get(s.pk, []),
            category=s.category.name if s.category else _("未分类"),
            lead_unit=s.proposed_lead.name if s.proposed_lead else "",
            co_units=[u.name for u in sorted(s.proposed_co_units.all(), key=lambda u: u.pk)],
            content=s.content,
        )
        for s in suggestions
    ]


def _groups(entries: list[Entry]) -> list[Group]:
    groups: list[Group] = []
    for entry in entries:
        if not groups or groups[-1].category != entry.category:
            groups.append(Group(entry.category))
        groups[-1].entries.append(entry)
    return groups


@functools.cache
def _css() -> str:
    return render_to_string("suggestions/staff/booklet/booklet.css")


def booklet_pdf(
    *,
    district: str,
    session: str,
    entries: list[Entry],
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The booklet's PDF. `progress(done, total)` after each chunk of suggestions."""
    with override(settings.LANGUAGE_CODE):
        css = _css()
        body = []
        page = 1  # the body's pages are numbered from 1; the front matter is not numbered
        total = len(entries)
        for start in range(0, total, CHUNK):
            chunk = entries[start : start + CHUNK]
            html = render_to_string(
                "suggestions/staff/booklet/body.html",
                {"entries": chunk, "first_page": page, "session": session},
            )
            # Each chunk's pages go on from the last one's number (the CSS, not a style
            # block in the template: no template carries one).
            first = f"@page :first {{ counter-reset: page {page}; }}\n"
            document = pdf.html_layout(html, css=css + first)
            by_anchor = {e.anchor: e for e in chunk}
            for index, laid in enumerate(document.pages):
                for anchor in laid.anchors:
                    if anchor in by_anchor:
                        by_anchor[anchor].page = page + index
            page += len(document.pages)
            body.append(document)
            if progress is not None:
                progress(start + len(chunk), total)
        front = pdf.html_layout(
            render_to_string(
                "suggestions/staff/booklet/front.html",
                {
                    "district": district,
                    "session": session,
                    "groups": _groups(entries),
                    "count": total,
                    "made_on": timezone.localdate(),
                },
            ),
            css=css,
        )
        return pdf.documents_to_pdf([front, *body])


def booklet_file_name(session: CongressSession) -> str:
    return f"{_('建议汇编')}-{session.short_name}.pdf"


@job_kind(BOOKLET_JOB)
def build_booklet(job, progress) -> JobFile:
    """The booklet of the session in the job's params, as the suggestions stand now."""
    session = CongressSession.objects.select_related("term", "district").get(
        pk=job.params["session"]
    )
    entries = booklet_entries(session)
    progress(0, len(entries), _("排版"))
    with override(settings.LANGUAGE_CODE):
        data = booklet_pdf(
            district=session.district.name,
            session=str(session),
            entries=entries,
            progress=lambda done, total: progress(done, total),
        )
        name = booklet_file_name(session)
    return JobFile(name, "application/pdf", data)
