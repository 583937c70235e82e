"""Back-to-back (背靠背): nothing a handling unit can open tells it who rated.

The unit knows the suggestion's deputies (it must contact them before replying), so the
lead deputy's name is on the suggestion's page and in its ledger row; what must never
happen is that a rating adds anything about its rater. The test walks every page and
download a unit account reaches from its menus (pages, exports, files, notifications),
before and after the deputy rates: the rater's username never appears, the rater's name
appears nowhere new, and the rating's own pages (its aggregate, the inbox, the assignment
page, the notifications) never name the rater at all.
"""

import html
import io
import re
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from zhitong.suggestions import services
from zhitong.suggestions.tests import handling_setup as hs
from zhitong.suggestions.tests.handling_setup import D, travel
from zhitong.suggestions.tests.world import build

pytestmark = pytest.mark.django_db

SEEDS = (
    "/accounts/home/",
    "/work/inbox/",
    "/work/inbox/?show=all",
    "/work/inbox/?show=replied",
    "/work/suggestions/",
    "/work/suggestions/my-ratings/",
    "/work/suggestions/ledger/commitments/",
    "/work/suggestions/ledger/handling/",
    "/work/notifications/",
)
LIMIT = 120
_HREF = re.compile(r'href="([^"#]+)')


def _text(response) -> str:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return body.decode("utf-8", errors="replace")


def _links(page: str) -> list[str]:
    found = []
    for href in _HREF.findall(page):
        href = html.unescape(href)
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith(("/work/", "/accounts/home")):
            continue
        found.append(href)
    return found


def walk(client, user) -> dict[str, str]:
    """Every page and download `user` can open from the seeds, by address: its text."""
    client.force_login(user)
    seen: dict[str, str] = {}
    queue = list(SEEDS)
    while queue and len(seen) < LIMIT:
        address = queue.pop(0)
        if address in seen:
            continue
        response = client.get(address, follow=True)
        if response.status_code != 200:
            seen[address] = ""
            continue
        text = _text(response)
        seen[address] = text
        if "text/html" in response.get("Content-Type", ""):
            queue.extend(link for link in _links(text) if link not in seen)
    return {address: text for address, text in seen.items() if text}


@pytest.fixture
def w(db):
    return build()


def test_a_unit_never_learns_who_rated(w, client, django_capture_on_commit_callbacks):
    rater = w.deputy
    name, username = rater.display_name, rater.username
    assert name == w.dep_a.name == "张甲"
    with django_capture_on_commit_callbacks(execute=True):
        s, lead, co = hs.assigned(w)
        hs.accepted(w, s, lead, co)
        with travel(D(2026, 2, 3)):
            services.suggestion_reply(assignment=co, by=w.co_unit, text="协办意见：同意。")
        hs.contacted(w, s, lead)
        hs.replied(w, s, lead)
    with travel(D(2026, 2, 5), 9):
        before = {user.username: walk(client, user) for user in (w.unit, w.co_unit)}
    with django_capture_on_commit_callbacks(execute=True):
        hs.rated(w, s, result="unsatisfied", attitude="basically", comment="进度太慢，请加快。")
    with travel(D(2026, 2, 5), 11):
        after = {user.username: walk(client, user) for user in (w.unit, w.co_unit)}

    unit_pages = after[w.unit.username]
    # The walk reached the rating's traces: the page, the aggregate, the ledger exports.
    page = unit_pages[f"/work/suggestions/{s.pk}/"]
    assert "进度太慢" in page and "代表（背靠背评价）" in page
    assert "基本满意" in unit_pages["/work/suggestions/my-ratings/"]
    exports = [a for a in unit_pages if "/export/" in a]
    assert any("format=xlsx" in a for a in exports) and any("format=csv" in a for a in exports)
    assert any("/files/" in a for a in unit_pages), "the reply's letter"
    assert any(
        a.startswith("/work/inbox/") and a.rstrip("/").split("/")[-1].isdigit() for a in unit_pages
    ), "the assignment page"

    for who, pages in after.items():
        for address, text in pages.items():
            assert username not in text, (who, address)
            earlier = before[who].get(address)
            # (An inbox row's "/case/" link is a redirect to the suggestion's page.)
            strict = address.startswith(
                ("/work/inbox/", "/work/notifications/", "/work/suggestions/my-ratings/")
            ) and not address.endswith("/case/")
            if earlier is None or strict:
                assert name not in text, (who, address)
            else:
                assert text.count(name) <= earlier.count(name), (who, address)
