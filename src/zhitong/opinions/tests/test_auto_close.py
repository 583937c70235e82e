"""Replies nobody rated close by themselves (默认满意) after the district's working days."""

import datetime

import pytest

from zhitong.core.events import events_for
from zhitong.dashboards.services import figures_refresh
from zhitong.handling import services as handling_services
from zhitong.handling.models import Assignment, Rating
from zhitong.opinions import services
from zhitong.opinions.models import DistrictSettings, Opinion, Status
from zhitong.opinions.selectors import opinion_timeline
from zhitong.opinions.services import OpinionError
from zhitong.opinions.stats import opinion_figures, opinion_figures_live
from zhitong.opinions.tests.lifecycle_world import Sent, at, build, frozen, new_opinion

D = datetime.date
pytestmark = pytest.mark.django_db
# Monday 2 March 2026: the reply is sent on Tuesday 3 March. Ten working days later is
# Tuesday 17 March (no holiday in between).
SENT_ON = D(2026, 3, 3)
TENTH_WORKING_DAY = D(2026, 3, 17)


@pytest.fixture
def w(db):
    return build()


@pytest.fixture
def sent(monkeypatch):
    fake = Sent()
    monkeypatch.setattr(services, "notifications_api", lambda: fake)
    monkeypatch.setattr(handling_services, "notifications_api", lambda: fake)
    return fake


def lead_of(opinion):
    return opinion.referrals.get(role=Assignment.Role.LEAD, state__in=["pending", "accepted"])


def sent_opinion(w, **kw):
    """Referred on Monday 2 March, replied and sent on Tuesday 3 March 2026."""
    with frozen(at(D(2026, 3, 2), 9)):
        opinion = new_opinion(w, **kw)
        services.opinion_accept(opinion=opinion, by=w.staff)
        services.opinion_refer(opinion=opinion, by=w.staff, unit=w.housing)
        lead = services.referral_accept(referral=lead_of(opinion), by=w.unit)
    with frozen(at(SENT_ON, 10)):
        reply = services.reply_submit(referral=lead, by=w.unit, text="已安排维修。")
        services.reply_send(reply=reply, by=w.deputy)
    return Opinion.objects.get(pk=opinion.pk)


@pytest.fixture
def close_unrated(django_capture_on_commit_callbacks):
    """The daily check of `day` at 00:30; what it queues after its commits goes out."""

    def run(day):
        with (
            frozen(at(day, 0) + datetime.timedelta(minutes=30)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return handling_services.replies_close_unrated(today=day)

    return run


def test_an_unrated_reply_closes_on_the_tenth_working_day_as_the_systems_act(
    w, sent, close_unrated
):
    opinion = sent_opinion(w)
    assert close_unrated(TENTH_WORKING_DAY - datetime.timedelta(days=1)) == 0
    opinion.refresh_from_db()
    assert opinion.status == Status.SENT

    assert close_unrated(TENTH_WORKING_DAY) == 1
    opinion.refresh_from_db()
    assert opinion.status == Status.CLOSED
    assert opinion.closed_at == at(TENTH_WORKING_DAY, 0) + datetime.timedelta(minutes=30)
    rating = Rating.objects.get(case=opinion.case)
    assert (rating.score, rating.method) == (Rating.Score.DEFAULT, Rating.Method.AUTO)
    assert rating.rater_id is None and rating.taken_by_id is None
    last = list(events_for(opinion))[-1]
    assert (last.verb, last.actor_id, last.from_state, last.to_state) == (
        "rating_default",
        None,
        Status.SENT,
        Status.CLOSED,
    )
    assert last.data["working_days"] == 10 and last.data["reached_on"] == "2026-03-03"
    # The citizen reads why on the public page; the unit hears of it.
    public = opinion_timeline(opinion, for_submitter=True)
    assert any(e.verb == "rating_default" for e in public)
    assert "opinion_rated" in sent.verbs()
    # A second run closes nothing twice.
    assert close_unrated(TENTH_WORKING_DAY + datetime.timedelta(days=1)) == 0
    assert Rating.objects.filter(case=opinion.case).count() == 1


def test_the_districts_number_of_days_and_zero_for_never(w, sent, close_unrated):
    DistrictSettings.objects.create(district=w.district, auto_close_working_days=3)
    opinion = sent_opinion(w)
    assert close_unrated(D(2026, 3, 5)) == 0  # two working days
    assert close_unrated(D(2026, 3, 6)) == 1  # the third
    DistrictSettings.objects.filter(district=w.district).update(auto_close_working_days=0)
    other = sent_opinion(w)
    assert close_unrated(D(2026, 6, 30)) == 0
    other.refresh_from_db()
    opinion.refresh_from_db()
    assert (opinion.status, other.status) == (Status.CLOSED, Status.SENT)


def test_rated_or_returned_opinions_are_left_alone(w, sent, close_unrated):
    rated = sent_opinion(w)
    with frozen(at(D(2026, 3, 4), 10)):
        services.rating_submit(opinion=rated, score="unsatisfied", comment="没修好")
    rated.refresh_from_db()
    assert rated.status == Status.HANDLING  # back with the unit: nothing to rate yet
    assert close_unrated(D(2026, 4, 30)) == 0
    assert Rating.objects.filter(score=Rating.Score.DEFAULT).count() == 0


def test_nobody_gives_the_default_score(w, sent, close_unrated):
    opinion = sent_opinion(w)
    with pytest.raises(OpinionError):
        services.rating_submit(opinion=opinion, score=Rating.Score.DEFAULT)
    with pytest.raises(OpinionError):
        services.rating_record(
            opinion=opinion, by=w.staff, score=Rating.Score.DEFAULT, method="phone"
        )
    with pytest.raises(OpinionError):
        handling_services.reply_rate(
            case=opinion.case, by=w.staff, score=Rating.Score.SATISFIED, method="auto"
        )
    assert not Rating.objects.exists()


def test_closed_by_default_is_counted_apart_never_as_rated_or_satisfied(w, sent, close_unrated):
    by_default = sent_opinion(w)
    satisfied = sent_opinion(w)
    with frozen(at(D(2026, 3, 4), 10)):
        services.rating_submit(opinion=satisfied, score="satisfied")
    close_unrated(TENTH_WORKING_DAY)
    by_default.refresh_from_db()
    assert by_default.status == Status.CLOSED
    with frozen(at(D(2026, 3, 20), 10)):
        live = opinion_figures_live(w.staff, start=D(2026, 3, 1), end=D(2026, 3, 31))
        figures_refresh()
        summary = opinion_figures(w.staff, start=D(2026, 3, 1), end=D(2026, 3, 31))
    for figures in (live, summary):
        total = figures.total
        assert (total.closed, total.rated, total.satisfied, total.closed_default) == (2, 1, 1, 1)
        assert total.satisfaction_rate == 100
        # The unit's figures across processes: one reply rated, one closed by default.
        (unit,) = [row for row in figures.units if row.label == w.housing.name]
        assert (unit.rated, unit.satisfied, unit.closed_default) == (1, 1, 1)
    assert summary.from_summary and not live.from_summary


# --- the district's setting, on the work pages ---------------------------------------------


def test_staff_set_the_days_and_the_change_is_on_record(w, client):
    client.force_login(w.staff)
    page = client.get("/work/opinions/settings/")
    assert page.status_code == 200
    assert 'value="10"' in page.content.decode()  # the default until staff change it
    response = client.post(
        "/work/opinions/settings/", {"district": w.district.code, "auto_close_working_days": "7"}
    )
    assert response.status_code == 302
    row = DistrictSettings.objects.get(district=w.district)
    assert (row.auto_close_working_days, row.updated_by) == (7, w.staff)
    (event,) = events_for(row)
    assert event.verb == "opinion_settings_change" and event.actor_id == w.staff.pk
    assert event.data == {"auto_close_working_days": {"from": 10, "to": 7}}
    # Saving the same number again records nothing new.
    client.post(
        "/work/opinions/settings/", {"district": w.district.code, "auto_close_working_days": "7"}
    )
    assert len(list(events_for(row))) == 1


@pytest.mark.parametrize("value", ["", "-1", "61", "abc", "3.5", "9" * 30])
def test_bad_numbers_are_refused_and_nothing_is_saved(w, client, value):
    client.force_login(w.staff)
    response = client.post(
        "/work/opinions/settings/", {"district": w.district.code, "auto_close_working_days": value}
    )
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert not DistrictSettings.objects.exists()


@pytest.mark.parametrize(
    "role", ["leader", "street", "deputy", "liaison", "unit", "citizen", "far_staff"]
)
def test_only_the_districts_staff_and_admins_change_it(w, client, role):
    client.force_login(w.users[role])
    get = client.get(f"/work/opinions/settings/?district={w.district.code}")
    post = client.post(
        "/work/opinions/settings/", {"district": w.district.code, "auto_close_working_days": "3"}
    )
    assert (get.status_code, post.status_code) == (403, 403)
    assert not DistrictSettings.objects.filter(district=w.district).exists()


def test_an_admin_may_and_another_districts_staff_may_not(w, client):
    client.force_login(w.admin)
    assert client.get("/work/opinions/settings/").status_code == 200
    client.force_login(w.far_staff)
    response = client.get(f"/work/opinions/settings/?district={w.district.code}")
    assert response.status_code == 403


# --- a callback (回访): who called, when, what was said ------------------------------------------


def test_a_callback_records_who_called_when_and_what_was_said(w, sent, client):
    opinion = sent_opinion(w)
    client.force_login(w.liaison)
    with frozen(at(D(2026, 3, 6), 15)):
        response = client.post(
            f"/work/opinions/{opinion.pk}/record-rating/",
            {
                "method": "phone",
                "taken_at": "2026-03-05T10:30",
                "score": "basically",
                "comment": "路灯修好了，希望再亮一些",
            },
        )
    assert response.status_code == 302
    rating = Rating.objects.get(case=opinion.case)
    assert rating.taken_by == w.liaison and rating.method == "phone"
    assert rating.created_at == at(D(2026, 3, 5), 10) + datetime.timedelta(minutes=30)
    assert rating.comment == "路灯修好了，希望再亮一些"
    event = list(events_for(opinion))[-1]
    assert event.actor == w.liaison and event.data["taken_at"] == "2026-03-05T10:30+08:00"
    opinion.refresh_from_db()
    assert opinion.status == Status.CLOSED
    page = client.get(f"/work/opinions/{opinion.pk}/").content.decode()
    assert "回访时间 2026-03-05 10:30" in page


@pytest.mark.parametrize(
    "taken_at, message",
    [
        ("2026-03-07T10:00", "回访时间不能晚于现在"),
        ("2026-03-02T10:00", "回访时间不能早于答复反馈的时间"),
        ("yesterday", "请填写有效的回访时间"),
    ],
)
def test_a_callback_time_in_the_future_or_before_the_reply_is_refused(
    w, sent, client, taken_at, message
):
    opinion = sent_opinion(w)
    client.force_login(w.staff)
    with frozen(at(D(2026, 3, 6), 15)):
        response = client.post(
            f"/work/opinions/{opinion.pk}/record-rating/",
            {"method": "phone", "taken_at": taken_at, "score": "satisfied"},
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Rating.objects.exists()
    opinion.refresh_from_db()
    assert opinion.status == Status.SENT
