""" "Review the reply" is one task for all the reviewers (the deputy, the station's liaisons,
staff over the street): when one sends the reply, it leaves the others' to-do lists and
unread counts, their centre says who did it, and the act is on the opinion's timeline. An
extension request is one task for staff in the same way."""

import pytest

from zhitong.core.events import events_for
from zhitong.handling.models import Assignment
from zhitong.handling.services import EXTENSION_TASK, REVIEW_TASK
from zhitong.notifications.models import Notification
from zhitong.notifications.selectors import open_tasks, unread_count
from zhitong.opinions import services
from zhitong.opinions.stats import pending_counts
from zhitong.opinions.tests.lifecycle_world import build, new_opinion

pytestmark = pytest.mark.django_db

CENTRE = "/work/notifications/"
HOME = "/accounts/home/"


@pytest.fixture
def w(db):
    return build()


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """A service as a request runs it: what it queued for the commit runs when it commits."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def lead_of(opinion):
    return opinion.referrals.get(role=Assignment.Role.LEAD)


def replied(w, act):
    opinion = new_opinion(w)
    act(services.opinion_accept, opinion=opinion, by=w.staff)
    act(services.opinion_refer, opinion=opinion, by=w.staff, unit=w.housing)
    lead = act(services.referral_accept, referral=lead_of(opinion), by=w.unit)
    reply = act(services.reply_submit, referral=lead, by=w.unit, text="已安排维修，路灯已恢复。")
    return opinion, reply


def review_tasks(user, opinion):
    return [n for n in open_tasks(user) if n.verb == REVIEW_TASK and n.subject == opinion]


def replied_figure(user) -> int:
    return {c.key: c.count for c in pending_counts(user)}["replied"]


def test_three_reviewers_get_one_task_and_one_sending_takes_it_off_the_others(client, w, act):
    opinion, reply = replied(w, act)
    reviewers = [w.deputy, w.liaison, w.staff, w.street]
    for user in reviewers:
        assert len(review_tasks(user, opinion)) == 1, user
    unread_before = {user.pk: unread_count(user) for user in reviewers}
    # Not the unit, nor staff of another street or district.
    for user in (w.unit, w.other_street, w.far_staff, w.other_deputy):
        assert review_tasks(user, opinion) == [], user
    assert replied_figure(w.street) == 1
    client.force_login(w.street)
    assert "我的待办" in client.get(HOME).content.decode()

    act(services.reply_send, reply=reply, by=w.deputy)

    for user in reviewers:
        assert review_tasks(user, opinion) == [], user
    for user in (w.liaison, w.staff, w.street):
        assert unread_count(user) == unread_before[user.pk] - 1, user
        [held] = Notification.objects.filter(recipient=user, verb=REVIEW_TASK)
        assert (held.done_by, held.done_by_name) == (w.deputy, "张甲")
    # The act is on the timeline, the deputy's.
    last = list(events_for(opinion))[-1]
    assert (last.verb, last.actor) == ("reply_send", w.deputy)
    # The homes' figures and lists agree.
    assert replied_figure(w.street) == 0
    page = client.get(HOME).content.decode()
    assert "已安排维修" not in page and "请审核后反馈群众" not in page
    # The centre keeps it in the history, saying who did it, and not as to-do.
    page = client.get(CENTRE).content.decode()
    assert "已由张甲处理" in page
    assert "待办（0）" in page
    assert "没有待办事项。" in client.get(CENTRE, {"show": "tasks"}).content.decode()


def test_a_refused_send_leaves_the_task_open(w, act):
    opinion, reply = replied(w, act)
    with pytest.raises(services.OpinionError):
        act(services.reply_send, reply=reply, by=w.deputy, text_sent="  ")
    for user in (w.deputy, w.liaison, w.staff):
        assert len(review_tasks(user, opinion)) == 1


def test_a_second_round_is_a_new_task(w, act):
    opinion, reply = replied(w, act)
    act(services.reply_send, reply=reply, by=w.liaison)
    act(services.rating_submit, opinion=opinion, score="unsatisfied", comment="没有修好")
    lead = lead_of(opinion)
    reply = act(services.reply_submit, referral=lead, by=w.unit, text="已再次维修。")
    assert len(review_tasks(w.staff, opinion)) == 1
    act(services.reply_send, reply=reply, by=w.staff)
    assert review_tasks(w.deputy, opinion) == []
    assert Notification.objects.filter(verb=REVIEW_TASK, done_at__isnull=True).count() == 0


def test_the_extension_request_is_one_task_for_staff(w, act):
    opinion = new_opinion(w)
    act(services.opinion_accept, opinion=opinion, by=w.staff)
    act(services.opinion_refer, opinion=opinion, by=w.staff, unit=w.housing)
    lead = act(services.referral_accept, referral=lead_of(opinion), by=w.unit)
    extension = act(
        services.extension_request, referral=lead, by=w.unit, working_days=5, reason="需要招标"
    )
    holders = [n.recipient for n in Notification.objects.filter(verb=EXTENSION_TASK, task=True)]
    assert w.staff in holders and w.street in holders
    act(services.extension_decide, extension=extension, by=w.staff, approve=True)
    assert not Notification.objects.filter(verb=EXTENSION_TASK, done_at__isnull=True).exists()
    assert {n.done_by_name for n in Notification.objects.filter(verb=EXTENSION_TASK)} == {"王工作"}
