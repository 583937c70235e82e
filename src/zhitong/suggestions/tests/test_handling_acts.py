"""The handling acts on a suggestion's page (办 · 评): deadlines, refusal and reassignment,
extension, chase, reply, rating; each refusal a clear error and no change."""

import pytest

from zhitong.handling.models import Assignment, Chase, Extension, Rating, Reply
from zhitong.notifications.models import Notification
from zhitong.suggestions.models import Commitment, File, Status, Suggestion
from zhitong.suggestions.tests import handling_setup as hs
from zhitong.suggestions.tests.handling_setup import D, travel
from zhitong.suggestions.tests.world import PDF, build, pdf
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return build()


def url(s, tail=""):
    return f"/work/suggestions/{s.pk}/{tail}"


def post(client, user, path, data=None, **kw):
    client.force_login(user)
    return client.post(path, data or {}, **kw)


def text_of(response) -> str:
    return response.content.decode()


# --- deadlines ----------------------------------------------------------------------------


def test_three_months_from_assignment_rolled_past_the_holiday_and_co_units_one_month(w, client):
    s, lead, co = hs.assigned(w)  # 2 Feb 2026
    # 2 May is in the May Day holiday: rolled to the next working day, and said so.
    assert lead.rule == "months" and lead.period == 3
    assert lead.due_date == D(2026, 5, 6)
    assert co.period == 1 and co.due_date == D(2026, 3, 2)
    with travel(D(2026, 2, 3)):
        client.force_login(w.unit)
        page = text_of(client.get(url(s)))
    assert "2026-05-06" in page and "劳动节" in page and "2026-03-02" in page


def test_month_end_is_kept_and_an_approved_extension_counts_from_the_same_start(
    w, client, django_capture_on_commit_callbacks
):
    s, lead, co = hs.assigned(w, day=D(2026, 3, 31))
    # 31 March + 3 months: June has no 31st, its last day; co-units 30 April.
    assert lead.due_date == D(2026, 6, 30) and co.due_date == D(2026, 4, 30)
    hs.accepted(w, s, lead, co, day=D(2026, 4, 1))
    with travel(D(2026, 4, 2)):
        r = post(
            client,
            w.unit,
            url(s, f"assignments/{lead.pk}/extension/"),
            {f"extension-{lead.pk}-months": "2", f"extension-{lead.pk}-reason": "需协调资金。"},
        )
        assert r.status_code == 302
        extension = Extension.objects.get(assignment=lead)
        with django_capture_on_commit_callbacks(execute=True):
            r = post(
                client,
                w.staff,
                url(s, f"extensions/{extension.pk}/decide/"),
                {f"decide-{extension.pk}-approve": "yes", f"decide-{extension.pk}-note": ""},
            )
        assert r.status_code == 302
    lead.refresh_from_db()
    # From the same start (31 March): 5 months → 31 August.
    assert lead.due_date == D(2026, 8, 31)
    assert Suggestion.objects.get(pk=s.pk).open_due_date == D(2026, 8, 31)
    told = Notification.objects.filter(recipient=w.deputy, verb="extension_decided")
    assert told.exists() and "已批准" in told.get().text


def test_an_extension_beyond_three_months_is_refused_on_the_form(w, client):
    s, lead, co = hs.assigned(w)
    hs.accepted(w, s, lead, co)
    with travel(D(2026, 2, 4)):
        r = post(
            client,
            w.unit,
            url(s, f"assignments/{lead.pk}/extension/"),
            {f"extension-{lead.pk}-months": "4", f"extension-{lead.pk}-reason": "理由"},
        )
    assert r.status_code == 400 and not Extension.objects.exists()


def test_the_districts_most_months_of_extension_bound_the_sum_of_extensions(w, client):
    from zhitong.handling import services as handling
    from zhitong.suggestions.models import DistrictSettings

    DistrictSettings.objects.create(district=w.district, max_extension_months=2)
    s, lead, co = hs.assigned(w)
    hs.accepted(w, s, lead, co)
    path = url(s, f"assignments/{lead.pk}/extension/")
    client.force_login(w.unit)
    with travel(D(2026, 2, 4)):
        page = client.get(url(s)).content.decode()
    assert f'action="{path}"' in page and "尚可延期2个月" in page
    with travel(D(2026, 2, 4)):
        r = post(
            client,
            w.unit,
            path,
            {f"extension-{lead.pk}-months": "3", f"extension-{lead.pk}-reason": "理由"},
        )
        assert r.status_code == 400 and not Extension.objects.exists()
        assert "月数必须在1至2之间" in text_of(r)
        granted = handling.extension_request(assignment=lead, by=w.unit, period=2, reason="理由")
        handling.extension_decide(extension=granted, by=w.staff, approve=True)
        r = post(
            client,
            w.unit,
            path,
            {f"extension-{lead.pk}-months": "1", f"extension-{lead.pk}-reason": "再延。"},
        )
    assert r.status_code == 400 and Extension.objects.count() == 1
    assert "已达到最长延期" in text_of(r)
    # The page no longer offers the form.
    client.force_login(w.unit)
    with travel(D(2026, 2, 4)):
        page = client.get(url(s))
    assert f'action="{path}"' not in page.content.decode()


# --- refusal and reassignment ------------------------------------------------------------


def test_refusal_within_the_days_allowed_shows_the_last_day_and_goes_to_staff(w, client):
    s, lead, co = hs.assigned(w)
    with travel(D(2026, 2, 4)):
        client.force_login(w.unit)
        page = text_of(client.get(url(s)))
        # 7 working days from 2 Feb (the Spring Festival comes later).
        assert f'id="form-return-{lead.pk}"' in page and "2026-02-11" in page
        r = post(
            client,
            w.unit,
            url(s, f"assignments/{lead.pk}/return/"),
            {f"return-{lead.pk}-reason": "不属于本单位职责。"},
        )
    assert r.status_code == 302
    lead.refresh_from_db()
    s.refresh_from_db()
    assert lead.state == "returned" and s.status == Status.REGISTERED


def test_refusal_after_the_days_allowed_is_refused_and_nothing_changes(w, client):
    s, lead, co = hs.assigned(w)
    with travel(D(2026, 2, 20)):
        client.force_login(w.unit)
        assert f'id="form-return-{lead.pk}"' not in text_of(client.get(url(s)))
        r = post(
            client,
            w.unit,
            url(s, f"assignments/{lead.pk}/return/"),
            {f"return-{lead.pk}-reason": "不属于本单位职责。"},
        )
    assert r.status_code == 400 and "已超过退回期限" in text_of(r)
    lead.refresh_from_db()
    assert lead.state == "pending"
    assert Suggestion.objects.get(pk=s.pk).status == Status.ASSIGNED


def test_a_refusal_without_a_reason_is_refused(w, client):
    s, lead, co = hs.assigned(w)
    with travel(D(2026, 2, 3)):
        r = post(client, w.unit, url(s, f"assignments/{lead.pk}/return/"), {})
    assert r.status_code == 400
    lead.refresh_from_db()
    assert lead.state == "pending"


def test_staff_reassign_an_open_assignment(w, client):
    s, lead, co = hs.assigned(w)
    with travel(D(2026, 2, 5)):
        r = post(
            client,
            w.staff,
            url(s, f"assignments/{co.pk}/reassign/"),
            {f"reassign-{co.pk}-unit": w.office_a.pk, f"reassign-{co.pk}-reason": "职责调整。"},
        )
        assert r.status_code == 302
        # The unit refused: a unit cannot reassign.
        r = post(
            client,
            w.unit,
            url(s, f"assignments/{lead.pk}/reassign/"),
            {f"reassign-{lead.pk}-unit": w.office_a.pk, f"reassign-{lead.pk}-reason": "x"},
        )
        assert r.status_code == 403
    co.refresh_from_db()
    assert co.state == "withdrawn"
    new = Assignment.objects.get(case=s.case, role="co", state="pending")
    assert new.unit == w.office_a and new.due_date == D(2026, 3, 5)


# --- chase ----------------------------------------------------------------------------------


def test_chase_by_deputies_street_committee_and_staff(
    w, client, django_capture_on_commit_callbacks
):
    s, lead, co = hs.assigned(w)
    with travel(D(2026, 2, 10)):
        for n, user in enumerate((w.deputy, w.other_deputy, w.street, w.staff), start=1):
            with django_capture_on_commit_callbacks(execute=True):
                r = post(
                    client,
                    user,
                    url(s, f"assignments/{lead.pk}/chase/"),
                    {f"chase-{lead.pk}-note": "请抓紧办理。"},
                )
            assert r.status_code == 302, user
            assert Chase.objects.filter(assignment=lead).count() == n
    lead.refresh_from_db()
    assert lead.chase_count == 4
    assert Notification.objects.filter(recipient=w.unit, verb="chased").count() == 4


def test_chase_is_refused_for_another_deputy_and_another_unit(w, client):
    s, lead, co = hs.assigned(w)
    stranger = f.UserFactory(username="deputy_c", role="deputy", display_name="赵丙")
    f.DeputyFactory(district=w.district, name="赵丙", user=stranger)
    with travel(D(2026, 2, 10)):
        path = url(s, f"assignments/{lead.pk}/chase/")
        # Out of their sight: not found, as if it did not exist.
        assert post(client, stranger, path).status_code == 404
        assert post(client, w.other_unit, path).status_code == 404
        # The co-unit sees the suggestion but does not chase.
        assert post(client, w.co_unit, path).status_code == 403
        assert post(client, w.citizen, path).status_code == 404
    assert not Chase.objects.exists()


# --- replies ------------------------------------------------------------------------------


def reply_data(lead, **more):
    data = {
        f"reply-{lead.pk}-text": "正在推进。",
        f"reply-{lead.pk}-result_class": "B",
        f"reply-{lead.pk}-files": pdf(),
        f"reply-{lead.pk}-commitment_1": "6月底前完成两台电梯加装",
        f"reply-{lead.pk}-due_1": "2026-06-30",
    }
    data.update(more)
    return data


def test_a_reply_without_a_contact_is_refused(w, client):
    s, lead, co = hs.assigned(w)
    hs.accepted(w, s, lead, co)
    with travel(D(2026, 2, 4)):
        r = post(client, w.unit, url(s, f"assignments/{lead.pk}/reply/"), reply_data(lead))
    assert r.status_code == 400 and "办前沟通" in text_of(r)
    assert not Reply.objects.exists() and not File.objects.exists()
    assert not Commitment.objects.exists()
    assert Suggestion.objects.get(pk=s.pk).status == Status.HANDLING


def test_a_reply_without_the_signed_pdf_is_refused(w, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    s, lead, co = hs.assigned(w)
    hs.accepted(w, s, lead, co)
    hs.contacted(w, s, lead)
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png")
    with travel(D(2026, 2, 4)):
        r = post(
            client,
            w.unit,
            url(s, f"assignments/{lead.pk}/reply/"),
            reply_data(lead, **{f"reply-{lead.pk}-files": photo}),
        )
        assert r.status_code == 400 and "PDF" in text_of(r)
        # No file at all: the form says so.
        data = reply_data(lead)
        del data[f"reply-{lead.pk}-files"]
        r = post(client, w.unit, url(s, f"assignments/{lead.pk}/reply/"), data)
        assert r.status_code == 400
        # A commitment without its date.
        r = post(
            client,
            w.unit,
            url(s, f"assignments/{lead.pk}/reply/"),
            reply_data(lead, **{f"reply-{lead.pk}-due_1": ""}),
        )
        assert r.status_code == 400
    assert not Reply.objects.exists() and not File.objects.exists()


def test_the_lead_replies_with_commitments_and_the_co_unit_sends_views(w, client):
    s, lead, co = hs.assigned(w)
    hs.accepted(w, s, lead, co)
    with travel(D(2026, 2, 3), 15):
        r = post(
            client,
            w.unit,
            url(s, f"assignments/{lead.pk}/contact/"),
            {
                f"contact-{lead.pk}-contacted_at": "2026-02-03T09:00",
                f"contact-{lead.pk}-method": "visit",
                f"contact-{lead.pk}-note": "上门听取代表意见。",
            },
        )
        assert r.status_code == 302
        r = post(
            client,
            w.co_unit,
            url(s, f"assignments/{co.pk}/reply/"),
            {f"views-{co.pk}-text": "同意主办单位方案。", f"views-{co.pk}-files": pdf("协办.pdf")},
        )
        assert r.status_code == 302
        r = post(
            client,
            w.unit,
            url(s, f"assignments/{lead.pk}/reply/"),
            reply_data(
                lead,
                **{
                    f"reply-{lead.pk}-commitment_2": "9月底前完成其余三台",
                    f"reply-{lead.pk}-due_2": "2026-09-30",
                },
            ),
        )
        assert r.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.REPLIED
    assert list(s.commitments.values_list("due_date", flat=True)) == [
        D(2026, 6, 30),
        D(2026, 9, 30),
    ]
    letter = File.objects.get(purpose="reply", reply__assignment=lead)
    client.force_login(w.deputy)
    page = text_of(client.get(url(s)))
    assert "上门听取代表意见" in page and "同意主办单位方案" in page
    # The timeline tells the co-unit's views from the lead unit's reply.
    assert f"{co.unit.name}（协办意见）" in page and f"{lead.unit.name}（协办意见）" not in page
    download = client.get(url(s, f"files/{letter.pk}/"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # Someone who cannot see the page cannot download it either.
    client.force_login(w.other_unit)
    assert client.get(url(s, f"files/{letter.pk}/")).status_code == 404


def test_replying_after_closure_is_refused(w, client):
    s, lead, co = hs.carried_out(w)
    with travel(D(2026, 6, 20)):
        from zhitong.suggestions import services

        for commitment in s.commitments.all():
            services.commitment_report(commitment=commitment, by=w.unit, report="已完成。")
            services.commitment_verify(commitment=commitment, by=w.staff, confirmed=True)
    s.refresh_from_db()
    assert s.status == Status.CLOSED
    with travel(D(2026, 6, 21)):
        client.force_login(w.unit)
        assert f'id="form-reply-{lead.pk}"' not in text_of(client.get(url(s)))
        r = post(client, w.unit, url(s, f"assignments/{lead.pk}/reply/"), reply_data(lead))
    assert r.status_code == 400
    assert Reply.objects.filter(assignment=lead).count() == 1


# --- rating -------------------------------------------------------------------------------


def rate_data(result="satisfied", attitude="satisfied", comment=""):
    return {"rate-result": result, "rate-attitude": attitude, "rate-comment": comment}


def test_the_lead_deputy_rates_once_and_an_unsatisfied_rating_needs_a_reason(w, client):
    s, lead, co = hs.assigned(w)
    hs.accepted(w, s, lead, co)
    hs.contacted(w, s, lead)
    hs.replied(w, s, lead)
    with travel(D(2026, 2, 6)):
        client.force_login(w.other_deputy)
        assert 'id="form-rate"' not in text_of(client.get(url(s)))
        assert post(client, w.other_deputy, url(s, "rate/"), rate_data()).status_code == 403
        client.force_login(w.deputy)
        assert 'id="form-rate"' in text_of(client.get(url(s)))
        r = post(client, w.deputy, url(s, "rate/"), rate_data("unsatisfied", "satisfied"))
        assert r.status_code == 400 and not Rating.objects.exists()
        r = post(client, w.deputy, url(s, "rate/"), rate_data("satisfied", "basically"))
        assert r.status_code == 302
        rating = Rating.objects.get()
        assert rating.score == "satisfied" and rating.aspects == {"attitude": "basically"}
        # Twice: refused, nothing more recorded.
        client.force_login(w.deputy)
        assert 'id="form-rate"' not in text_of(client.get(url(s)))
        r = post(client, w.deputy, url(s, "rate/"), rate_data("unsatisfied", "unsatisfied", "差"))
        assert r.status_code == 400
    assert Rating.objects.count() == 1
    assert Suggestion.objects.get(pk=s.pk).status == Status.CARRYING_OUT


def test_the_rating_is_of_the_lead_units_reply_even_when_a_co_unit_writes_after_it(w):
    """A co-unit may still send its views once the lead unit replied; the deputy's rating
    is of the lead's reply, never of those views. (Failed before handling's reply_rate left
    co-units' replies out of the one to rate.)"""
    from zhitong.suggestions import services

    s, lead, co = hs.assigned(w)
    hs.accepted(w, s, lead, co)
    hs.contacted(w, s, lead)
    hs.replied(w, s, lead)
    with travel(D(2026, 2, 5), 9):
        services.suggestion_reply(assignment=co, by=w.co_unit, text="协办意见：同意。")
    hs.rated(w, s, result="unsatisfied", attitude="basically", comment="进度太慢。")
    rating = Rating.objects.get()
    assert rating.reply.assignment == lead
    s.refresh_from_db()
    lead.refresh_from_db()
    assert s.status == Status.REHANDLING and lead.state == "accepted"
