"""The unit inbox with suggestions, the commitment ledger (page, acts, export), the
suggestion handling ledger's export, and the daily check of commitments overdue."""

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from zhitong.core.events import events_for
from zhitong.opinions import services as opinion_services
from zhitong.opinions.tests.lifecycle_world import new_opinion
from zhitong.suggestions.ledgers import commitment_headers, handling_headers
from zhitong.suggestions.models import Commitment, File, Status, Suggestion
from zhitong.suggestions.tests import handling_setup as hs
from zhitong.suggestions.tests.handling_setup import D, travel
from zhitong.suggestions.tests.world import build, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return build()


def sheet_rows(response) -> list[tuple]:
    assert "spreadsheetml" in response["Content-Type"]
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_unit_inbox_shows_its_opinion_and_its_suggestion_each_with_its_deadline_state(
    w, client
):
    s, lead, co = hs.assigned(w)
    with travel(D(2026, 2, 2)):
        opinion = new_opinion(w, subject="小区路灯不亮")
        opinion_services.opinion_accept(opinion=opinion, by=w.staff)
        referral = opinion_services.opinion_refer(
            opinion=opinion, by=w.staff, unit=w.housing, working_days=5
        )
    # 20 February: the opinion's 5 working days are long gone, the suggestion has months.
    with travel(D(2026, 2, 20)):
        client.force_login(w.unit)
        page = client.get("/work/inbox/").content.decode()
        rows = page.split('class="list-group-item"')[1:]
        by_title = {
            title: next(r for r in rows if title in r) for title in (s.title, opinion.subject)
        }
        suggestion_row, opinion_row = by_title[s.title], by_title[opinion.subject]
        assert "第16届4次会议第1号" in suggestion_row and "代表建议" in suggestion_row
        assert "期限内" in suggestion_row and "2026-05-06" in suggestion_row
        assert (
            "超期" in opinion_row
            and "期限内" not in opinion_row
            and opinion.tracking_code in opinion_row
        )
        assert f"/work/inbox/{lead.pk}/case/" in suggestion_row
        assert f"/work/inbox/{referral.pk}/case/" in opinion_row
        # The row's link reaches the suggestion's page.
        r = client.get(f"/work/inbox/{lead.pk}/case/")
        assert r.status_code == 302 and r["Location"] == f"/work/suggestions/{s.pk}/"
        # The co-unit sees its own assignment only.
        client.force_login(w.co_unit)
        page = client.get("/work/inbox/").content.decode()
        assert s.title in page and opinion.subject not in page


def test_the_commitment_ledger_by_scope_with_its_filters_and_overdue_flag(w, client):
    s, lead, co = hs.carried_out(w)
    other, other_lead, other_co = hs.assigned(w, title="关于增设社区养老服务点的建议")
    hs.accepted(w, other, other_lead, other_co)
    hs.contacted(w, other, other_lead)
    hs.replied(
        w,
        other,
        other_lead,
        commitments=[hs.CommitmentInput("年底前建成养老服务点", D(2026, 12, 31))],
    )
    with travel(D(2026, 7, 10)):
        client.force_login(w.staff)
        page = client.get("/work/suggestions/ledger/commitments/").content.decode()
        assert page.count("<tr") == 4  # the header, three commitments
        overdue = client.get("/work/suggestions/ledger/commitments/?overdue=on")
        text = overdue.content.decode()
        assert "6月底前完成两台电梯加装" in text and "逾期" in text
        assert "9月底前完成其余三台" not in text and "年底前建成养老服务点" not in text
        by_month = client.get("/work/suggestions/ledger/commitments/?month=2026-12")
        assert "年底前建成养老服务点" in by_month.content.decode()
        assert "6月底前" not in by_month.content.decode()
        bad = client.get("/work/suggestions/ledger/commitments/?month=2026-13")
        assert bad.status_code == 200 and "请按" in bad.content.decode()
        # The street committee: its street's (both are 甲街道's); another street: none.
        client.force_login(w.street)
        assert (
            "年底前建成养老服务点"
            in client.get("/work/suggestions/ledger/commitments/").content.decode()
        )
        client.force_login(w.other_street)
        assert "年底前" not in client.get("/work/suggestions/ledger/commitments/").content.decode()
        # Another unit: nothing of housing's; a deputy or a citizen: no ledger.
        client.force_login(w.other_unit)
        assert "年底前" not in client.get("/work/suggestions/ledger/commitments/").content.decode()
        for user in (w.deputy, w.citizen):
            client.force_login(user)
            assert client.get("/work/suggestions/ledger/commitments/").status_code == 403


def test_the_unit_reports_with_evidence_and_staff_verify_or_send_back(w, client):
    s, lead, co = hs.carried_out(w)
    first, second = s.commitments.order_by("position")
    with travel(D(2026, 6, 20)):
        path = f"/work/suggestions/{s.pk}/commitments/{first.pk}/"
        client.force_login(w.co_unit)
        assert client.post(path + "report/", {}).status_code == 403
        client.force_login(w.unit)
        page = client.get(f"/work/suggestions/{s.pk}/").content.decode()
        assert f'id="form-report-{first.pk}"' in page
        assert f'id="form-verify-{first.pk}"' not in page
        r = client.post(
            path + "report/",
            {f"report-{first.pk}-report": "", f"report-{first.pk}-files": pdf("验收.pdf")},
        )
        assert r.status_code == 400 and not File.objects.filter(purpose="evidence").exists()
        r = client.post(
            path + "report/",
            {
                f"report-{first.pk}-report": "两台电梯已投用。",
                f"report-{first.pk}-files": pdf("验收.pdf"),
            },
        )
        assert r.status_code == 302
        assert (
            client.post(path + "verify/", {f"verify-{first.pk}-confirmed": "yes"}).status_code
            == 403
        )
        client.force_login(w.staff)
        page = client.get(f"/work/suggestions/{s.pk}/").content.decode()
        assert f'id="form-verify-{first.pk}"' in page and "验收.pdf" in page
        # Sent back without a note: refused; with one: back to the unit.
        r = client.post(path + "verify/", {f"verify-{first.pk}-confirmed": "no"})
        assert r.status_code == 400
        first.refresh_from_db()
        assert first.state == Commitment.State.REPORTED
        r = client.post(
            path + "verify/",
            {f"verify-{first.pk}-confirmed": "no", f"verify-{first.pk}-note": "缺少验收报告。"},
        )
        assert r.status_code == 302
        first.refresh_from_db()
        assert first.state == Commitment.State.OPEN and first.verify_note == "缺少验收报告。"
        client.force_login(w.far_staff)
        assert client.post(path + "verify/", {}).status_code == 404


def test_the_ledgers_export_with_the_pages_filters_and_a_unit_gets_only_its_own(w, client):
    s, lead, co = hs.carried_out(w)
    # A suggestion led by another unit (甲街道办事处), with a commitment of its own.
    with travel(D(2026, 1, 6)):
        from zhitong.suggestions import services

        t = services.suggestion_draft(
            by=w.deputy,
            title='=HYPERLINK("x")关于修缮道路的建议',
            content="修路。",
            category=w.category,
        )
        services.suggestion_submit(suggestion=t, by=w.deputy)
        services.suggestion_review(suggestion=t, by=w.street, outcome="pass", checks=hs.ALL_CHECKS)
        services.suggestion_review(suggestion=t, by=w.staff, outcome="pass", checks=hs.ALL_CHECKS)
        services.suggestion_register(
            suggestion=t, by=w.staff, category=w.category, lead=w.office_a, co_units=[]
        )
    with travel(D(2026, 2, 2)):
        services.suggestions_assign(suggestions=[t], by=w.staff)
    t = Suggestion.objects.get(pk=t.pk)
    t_lead = t.suggestion_assignments.get()
    with travel(D(2026, 2, 3)):
        from zhitong.handling import services as handling

        handling.assignment_accept(assignment=t_lead, by=w.other_unit)
    hs.contacted(w.__class__(**{**vars(w), "unit": w.other_unit}), t, t_lead)
    with travel(D(2026, 2, 4)):
        services.suggestion_reply(
            assignment=t_lead,
            by=w.other_unit,
            text="已列入计划。",
            result_class="B",
            files=[pdf()],
            commitments=[hs.CommitmentInput("=1+1 年内修缮", D(2026, 10, 31))],
        )
    with travel(D(2026, 7, 10)):
        client.force_login(w.staff)
        rows = sheet_rows(client.get("/work/suggestions/ledger/handling/export/?format=xlsx"))
        assert list(rows[0]) == handling_headers()
        assert len(rows) == 3
        first = dict(zip(rows[0], rows[1], strict=True))
        assert first["建议编号"] == "第16届4次会议第1号" and first["领衔代表"] == "张甲"
        assert first["联名代表"] == "李乙"
        assert first["主办单位"] == w.housing.name and first["协办单位"] == w.roads.name
        assert first["交办日期"] == "2026-02-02" and first["答复期限"] == "2026-05-06"
        assert first["答复日期"] == "2026-02-04" and first["是否按期答复"] == "是"
        assert first["答复类别"] == "B" and first["办理结果评价"] == "满意"
        assert first["办理态度评价"] == "满意" and first["状态"] == "承诺落实中"
        # Text that looks like a formula stays text.
        assert rows[2][1].startswith("=HYPERLINK")
        # The page's filters: by lead unit.
        rows = sheet_rows(
            client.get(f"/work/suggestions/ledger/handling/export/?unit={w.office_a.pk}")
        )
        assert [r[1] for r in rows[1:]] == [t.title]

        rows = sheet_rows(client.get("/work/suggestions/ledger/commitments/export/?format=xlsx"))
        assert list(rows[0]) == commitment_headers()
        assert [r[3] for r in rows[1:]] == [
            "6月底前完成两台电梯加装",
            "9月底前完成其余三台",
            "=1+1 年内修缮",
        ]
        assert [r[9] for r in rows[1:]] == ["是", "否", "否"]
        overdue = csv_rows(
            client.get("/work/suggestions/ledger/commitments/export/?format=csv&overdue=on")
        )
        assert overdue[0] == commitment_headers()
        assert [r[3] for r in overdue[1:]] == ["6月底前完成两台电梯加装"]
        # CSV: a formula-like cell is written as text.
        every = csv_rows(client.get("/work/suggestions/ledger/commitments/export/?format=csv"))
        assert every[3][3] == "'=1+1 年内修缮"

        # A unit's exports hold its own only.
        client.force_login(w.unit)
        rows = sheet_rows(client.get("/work/suggestions/ledger/commitments/export/"))
        assert {r[2] for r in rows[1:]} == {w.housing.name} and len(rows) == 3
        rows = sheet_rows(client.get("/work/suggestions/ledger/handling/export/"))
        assert [r[0] for r in rows[1:]] == ["第16届4次会议第1号"]
        client.force_login(w.other_unit)
        rows = sheet_rows(client.get("/work/suggestions/ledger/commitments/export/"))
        assert [r[3] for r in rows[1:]] == ["=1+1 年内修缮"]
        for user in (w.deputy, w.citizen):
            client.force_login(user)
            assert client.get("/work/suggestions/ledger/handling/export/").status_code == 403


def test_the_daily_check_records_each_overdue_commitment_once(w, client):
    s, lead, co = hs.carried_out(w)
    assert s.status == Status.CARRYING_OUT
    call_command("handling_check_deadlines", "--today", "2026-07-01", stdout=io.StringIO())
    call_command("handling_check_deadlines", "--today", "2026-07-01", stdout=io.StringIO())
    call_command("handling_check_deadlines", "--today", "2026-07-02", stdout=io.StringIO())
    overdue = [e for e in events_for(s) if e.verb == "commitment_overdue"]
    assert len(overdue) == 1 and overdue[0].data["text"] == "6月底前完成两台电梯加装"
    call_command("handling_check_deadlines", "--today", "2026-10-01", stdout=io.StringIO())
    overdue = [e for e in events_for(s) if e.verb == "commitment_overdue"]
    assert len(overdue) == 2


def test_who_opens_the_ledgers_and_the_units_ratings(w, client):
    s, lead, co = hs.carried_out(w)
    ledgers = (
        "/work/suggestions/ledger/commitments/",
        "/work/suggestions/ledger/handling/",
        "/work/suggestions/ledger/commitments/export/",
        "/work/suggestions/ledger/handling/export/",
    )
    with travel(D(2026, 7, 10)):
        for name in ("staff", "leader", "street", "unit", "co_unit", "far_staff", "admin"):
            client.force_login(getattr(w, name))
            for address in ledgers:
                assert client.get(address).status_code == 200, (name, address)
        for name in ("deputy", "other_deputy", "citizen", "liaison"):
            client.force_login(getattr(w, name))
            for address in ledgers:
                assert client.get(address).status_code == 403, (name, address)
        # Another district's staff: an empty ledger, not ours.
        client.force_login(w.far_staff)
        assert s.title not in client.get(ledgers[1]).content.decode()
        assert "6月底前" not in client.get(ledgers[0]).content.decode()
        # The co-unit made no commitment: none in its ledger, but the suggestion in its
        # handling ledger.
        client.force_login(w.co_unit)
        assert "6月底前" not in client.get(ledgers[0]).content.decode()
        assert s.title in client.get(ledgers[1]).content.decode()
        client.force_login(w.unit)
        ratings = client.get("/work/suggestions/my-ratings/").content.decode()
        assert "共 1 次评价" in ratings
        for name in ("staff", "deputy", "street", "citizen"):
            client.force_login(getattr(w, name))
            assert client.get("/work/suggestions/my-ratings/").status_code == 403, name
        client.logout()
        assert client.get(ledgers[0]).status_code == 302
