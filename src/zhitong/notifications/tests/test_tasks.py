"""Tasks (待办): one piece of work told to several people; when one does it, it is done for all
(tasks_done by subject and verb), leaving every to-do list and unread count, with who did it
kept in the history. The centre's query count does not grow with them."""

import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from zhitong.notifications import services
from zhitong.notifications.models import Notification
from zhitong.notifications.selectors import centre_counts, open_tasks, unread_count

CENTRE = "/work/notifications/"

pytestmark = pytest.mark.django_db


def tell(world, subject, *, verb="reply_submitted", task=True, text="请审核答复"):
    services.notify(
        recipients=[world.staff, world.street, world.deputy],
        verb=verb,
        text=text,
        url="/work/opinions/1/",
        subject=subject,
        task=task,
    )


def test_a_task_is_done_for_all_when_one_does_it(world):
    tell(world, world.station_a)
    tell(world, world.station_b)  # another subject: another task
    for user in (world.staff, world.street, world.deputy):
        assert len(open_tasks(user)) == 2
        assert centre_counts(user) == (2, 2)
    closed = services.tasks_done(subject=world.station_a, verb="reply_submitted", by=world.street)
    assert closed == 3
    for user in (world.staff, world.street, world.deputy):
        assert [n.subject for n in open_tasks(user)] == [world.station_b]
        assert unread_count(user) == 1
    done = Notification.objects.filter(subject_id=str(world.station_a.pk))
    assert {(n.done_by, n.done_by_name) for n in done} == {(world.street, "street_a")}
    # Done once: a second act finds nothing open and moves nothing.
    first = {n.pk: n.done_at for n in done}
    assert services.tasks_done(subject=world.station_a, verb="reply_submitted", by=world.staff) == 0
    assert {n.pk: n.done_at for n in done.all()} == first


def test_other_verbs_and_plain_notifications_stay(world):
    tell(world, world.station_a)
    tell(world, world.station_a, verb="extension_requested")
    tell(world, world.station_a, verb="opinion_referred", task=False, text="仅告知")
    services.tasks_done(subject=world.station_a, verb="reply_submitted", by=world.staff)
    assert [n.verb for n in open_tasks(world.deputy)] == ["extension_requested"]
    plain = Notification.objects.get(recipient=world.deputy, verb="opinion_referred")
    assert plain.read_at is None and plain.done_at is None


def test_a_read_task_keeps_its_reading_time(world):
    tell(world, world.station_a)
    mine = Notification.objects.get(recipient=world.staff)
    services.notification_mark_read(notification=mine, by=world.staff)
    read_at = Notification.objects.get(pk=mine.pk).read_at
    services.tasks_done(subject=world.station_a, verb="reply_submitted", by=world.street)
    mine.refresh_from_db()
    assert mine.read_at == read_at and mine.done_at is not None
    # Reading does not do a task: it stays on the others' lists until someone acts.


def test_reading_is_not_doing(world):
    tell(world, world.station_a)
    services.notifications_mark_all_read(by=world.staff)
    assert len(open_tasks(world.staff)) == 1
    assert len(open_tasks(world.street)) == 1


def test_the_centre_shows_open_tasks_and_who_did_the_others(client, world):
    tell(world, world.station_a, text="请审核甲站的答复")
    tell(world, world.station_b, text="请审核乙站的答复")
    services.tasks_done(subject=world.station_a, verb="reply_submitted", by=world.street)
    client.force_login(world.staff)
    page = client.get(CENTRE).content.decode()
    assert "待办（1）" in page
    assert "已由street_a处理" in page
    tasks = client.get(CENTRE, {"show": "tasks"}).content.decode()
    assert "请审核乙站的答复" in tasks and "请审核甲站的答复" not in tasks
    assert 'aria-current="page" href="/work/notifications/?show=tasks"' in tasks


def test_the_home_lists_open_tasks_only(world):
    tell(world, world.station_a, text="请审核甲站的答复")
    tell(world, world.station_b, text="请审核乙站的答复")
    services.tasks_done(subject=world.station_a, verb="reply_submitted", by=world.street)
    request = RequestFactory().get("/accounts/home/")
    request.user = world.deputy
    html = Template("{% load notification_tasks %}{% open_task_list %}").render(
        Context({"user": world.deputy, "request": request})
    )
    assert "我的待办" in html
    assert "请审核乙站的答复" in html and "请审核甲站的答复" not in html
    services.tasks_done(subject=world.station_b, verb="reply_submitted", by=world.street)
    html = Template("{% load notification_tasks %}{% open_task_list %}").render(
        Context({"user": world.deputy, "request": request})
    )
    assert "我的待办" not in html


@pytest.mark.parametrize("tasks", [1, 40])
def test_centre_query_count_stays_fixed_with_tasks(
    client, world, tasks, django_assert_max_num_queries
):
    stations = [world.station_a, world.station_b, world.studio_a, world.station_far]
    for i in range(tasks):
        subject = stations[i % len(stations)]
        tell(world, subject, verb=f"task_{i}")
        if i % 2:
            services.tasks_done(subject=subject, verb=f"task_{i}", by=world.street)
    client.force_login(world.staff)
    first = client.get(CENTRE).content.decode()
    with django_assert_max_num_queries(5):
        client.get(CENTRE)
    with django_assert_max_num_queries(5):
        client.get(CENTRE, {"show": "tasks"})
    cursor = re.search(r"before=(\d+)", first)
    if cursor:
        with django_assert_max_num_queries(6):
            client.get(CENTRE, {"before": cursor.group(1)})
