"""Who may see a suggestion's page and act on its handling, per role; and on every page a
form is shown exactly when posting it would be accepted (each post rolled back)."""

import pytest
from django.db import transaction

from zhitong.handling import services as handling
from zhitong.handling.models import Extension
from zhitong.suggestions import services
from zhitong.suggestions.tests import handling_setup as hs
from zhitong.suggestions.tests.handling_setup import D, travel
from zhitong.suggestions.tests.world import build, pdf
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

SEES = ("unit", "co_unit", "staff", "deputy", "other_deputy", "street", "leader")
BLIND = ("other_unit", "far_staff", "stranger", "other_street", "citizen")


@pytest.fixture
def w(db):
    w = build()
    w.stranger = f.UserFactory(username="deputy_c", role="deputy", display_name="赵丙")
    f.DeputyFactory(district=w.district, name="赵丙", user=w.stranger)
    return w


def _state(w, name):
    """The suggestion in a state, the day to look at it, and its assignments."""
    s, lead, co = hs.assigned(w)
    if name == "assigned":
        return s, D(2026, 2, 3), lead, co
    hs.accepted(w, s, lead, co)
    hs.contacted(w, s, lead)
    if name == "handling":
        with travel(D(2026, 2, 4)):
            handling.extension_request(assignment=lead, by=w.unit, period=1, reason="协调资金。")
        return s, D(2026, 2, 5), lead, co
    hs.replied(w, s, lead)
    if name == "replied":
        return s, D(2026, 2, 5), lead, co
    hs.rated(w, s)
    first = s.commitments.order_by("position").first()
    with travel(D(2026, 6, 20)):
        services.commitment_report(commitment=first, by=w.unit, report="已完成。")
    return s, D(2026, 6, 20), lead, co


def _acts(w, s, day, lead, co):
    """Every act on the page: (form id, address, data maker)."""
    base = f"/work/suggestions/{s.pk}/"
    acts = []
    for a in (lead, co):
        p = f"{base}assignments/{a.pk}/"
        reply_key = "reply" if a.role == "lead" else "views"
        acts += [
            (f"accept-{a.pk}", p + "accept/", lambda: {}),
            (f"return-{a.pk}", p + "return/", lambda a=a: {f"return-{a.pk}-reason": "不属于。"}),
            (
                f"contact-{a.pk}",
                p + "contact/",
                lambda a=a: {
                    f"contact-{a.pk}-contacted_at": f"{day.isoformat()}T09:00",
                    f"contact-{a.pk}-method": "phone",
                    f"contact-{a.pk}-note": "电话沟通。",
                },
            ),
            (
                f"{reply_key}-{a.pk}",
                p + "reply/",
                lambda a=a, k=reply_key: {
                    f"{k}-{a.pk}-text": "答复。",
                    f"{k}-{a.pk}-result_class": "A",
                    f"{k}-{a.pk}-files": pdf(),
                },
            ),
            (
                f"extension-{a.pk}",
                p + "extension/",
                lambda a=a: {f"extension-{a.pk}-months": "1", f"extension-{a.pk}-reason": "理由。"},
            ),
            (f"chase-{a.pk}", p + "chase/", lambda: {}),
            (
                f"deadline-{a.pk}",
                p + "deadline/",
                lambda a=a: {
                    f"deadline-{a.pk}-due": "2026-08-03",
                    f"deadline-{a.pk}-reason": "调整。",
                },
            ),
            (
                f"reassign-{a.pk}",
                p + "reassign/",
                lambda a=a: {
                    f"reassign-{a.pk}-unit": str(w.office_a.pk),
                    f"reassign-{a.pk}-reason": "改派。",
                },
            ),
        ]
    for e in Extension.objects.filter(assignment__case_id=s.case_id):
        acts.append(
            (
                f"decide-{e.pk}",
                f"{base}extensions/{e.pk}/decide/",
                lambda e=e: {f"decide-{e.pk}-approve": "yes"},
            )
        )
    acts.append(("rate", base + "rate/", lambda: hs_rate()))
    for c in s.commitments.all():
        acts += [
            (
                f"report-{c.pk}",
                f"{base}commitments/{c.pk}/report/",
                lambda c=c: {f"report-{c.pk}-report": "已完成。"},
            ),
            (
                f"verify-{c.pk}",
                f"{base}commitments/{c.pk}/verify/",
                lambda c=c: {f"verify-{c.pk}-confirmed": "yes"},
            ),
        ]
    return acts


def hs_rate():
    return {"rate-result": "satisfied", "rate-attitude": "satisfied"}


@pytest.mark.parametrize("state", ["assigned", "handling", "replied", "carrying_out"])
def test_each_role_sees_the_forms_it_may_post_and_no_other(w, client, state):
    s, day, lead, co = _state(w, state)
    shown_any = set()
    with travel(day, 15):
        for name in BLIND:
            client.force_login(getattr(w, name))
            assert client.get(f"/work/suggestions/{s.pk}/").status_code == 404, name
        for name in SEES:
            user = getattr(w, name)
            client.force_login(user)
            page = client.get(f"/work/suggestions/{s.pk}/")
            assert page.status_code == 200, name
            text = page.content.decode()
            for key, address, data in _acts(w, s, day, lead, co):
                shown = f'id="form-{key}"' in text
                point = transaction.savepoint()
                response = client.post(address, data())
                transaction.savepoint_rollback(point)
                accepted = response.status_code == 302
                assert shown == accepted, (state, name, key, response.status_code)
                if shown:
                    shown_any.add((name, key.split("-")[0]))
                if not accepted:
                    assert response.status_code in (400, 403), (name, key)
        # Nobody may act on a suggestion they cannot see: as if it did not exist.
        for name in BLIND:
            client.force_login(getattr(w, name))
            for key, address, data in _acts(w, s, day, lead, co):
                assert client.post(address, data()).status_code == 404, (name, key)
    expected = {
        "assigned": {
            ("unit", "accept"),
            ("unit", "return"),
            ("unit", "contact"),
            ("co_unit", "accept"),
            ("co_unit", "return"),
            ("co_unit", "contact"),
            ("staff", "chase"),
            ("staff", "deadline"),
            ("staff", "reassign"),
            ("deputy", "chase"),
            ("other_deputy", "chase"),
            ("street", "chase"),
        },
        "handling": {
            ("unit", "contact"),
            ("unit", "reply"),
            ("co_unit", "contact"),
            ("co_unit", "views"),
            ("staff", "chase"),
            ("staff", "deadline"),
            ("staff", "reassign"),
            ("staff", "decide"),
            ("deputy", "chase"),
            ("other_deputy", "chase"),
            ("street", "chase"),
        },
        "replied": {
            # The ledger follows a commitment from the reply on (lifecycle).
            ("unit", "report"),
            ("co_unit", "views"),
            ("staff", "chase"),
            ("staff", "deadline"),
            ("staff", "reassign"),
            ("deputy", "chase"),
            ("deputy", "rate"),
            ("other_deputy", "chase"),
            ("street", "chase"),
        },
        "carrying_out": {
            ("unit", "report"),
            ("staff", "verify"),
        },
    }[state]
    assert shown_any == expected
