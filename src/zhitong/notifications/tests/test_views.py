"""The notification centre and settings pages: own notifications only, reading, paging, settings."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from zhitong.accounts.models import NotifyMode
from zhitong.core.models import Event
from zhitong.notifications.context_processors import unread_notifications
from zhitong.notifications.models import DigestMarker, Notification

CENTRE = "/work/notifications/"
SETTINGS = "/work/notifications/settings/"
READ_ALL = "/work/notifications/read-all/"


def read_url(n):
    return f"/work/notifications/{n.pk}/read/"


def note(recipient, text, *, minutes_ago=0, read=False, url=""):
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        recipient=recipient,
        verb="x",
        text=text,
        url=url,
        created_at=at,
        read_at=at if read else None,
    )


@pytest.fixture
def mine(world):
    return [
        note(world.staff, "意见A已转交住建局", minutes_ago=10, url="/work/opinions/1/"),
        note(world.staff, "意见B已答复", minutes_ago=5),
        note(world.staff, "意见C已办结", minutes_ago=20, read=True),
    ]


@pytest.fixture
def theirs(world):
    return note(world.unit, "住建局收到一条转办意见")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", CENTRE),
        ("get", SETTINGS),
        ("post", READ_ALL),
        ("post", "/work/notifications/1/read/"),
    ],
)
def test_anonymous_is_sent_to_login(client, db, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/work/notifications/")


def test_centre_shows_only_ones_own_newest_first(client, world, mine, theirs):
    client.force_login(world.staff)
    response = client.get(CENTRE)
    assert response.status_code == 200
    text = response.text
    assert "住建局收到一条转办意见" not in text
    positions = [text.index(t) for t in ("意见B已答复", "意见A已转交住建局", "意见C已办结")]
    assert positions == sorted(positions)
    assert 'href="/work/opinions/1/"' in text
    # Unread ones are marked in words (not only by colour), with a button each.
    assert text.count(">未读</span>") == 2
    assert text.count("标为已读<span") == 2
    assert "未读（2）" in text


def test_every_role_has_a_centre(client, world):
    for account in world.users.values():
        client.force_login(account)
        assert client.get(CENTRE).status_code == 200


def test_empty_centre_says_so(client, world):
    client.force_login(world.citizen)
    assert "暂无通知" in client.get(CENTRE).text
    assert "没有未读通知" in client.get(CENTRE, {"show": "unread"}).text


def test_unread_filter(client, world, mine):
    client.force_login(world.staff)
    text = client.get(CENTRE, {"show": "unread"}).text
    assert "意见B已答复" in text
    assert "意见C已办结" not in text


def test_mark_read(client, world, mine):
    client.force_login(world.staff)
    response = client.post(read_url(mine[0]), {"next": "/work/notifications/?show=unread"})
    assert response.status_code == 302
    assert response["Location"] == "/work/notifications/?show=unread"
    mine[0].refresh_from_db()
    assert mine[0].read_at is not None
    first_read = mine[0].read_at
    # A second click changes nothing.
    client.post(read_url(mine[0]))
    mine[0].refresh_from_db()
    assert mine[0].read_at == first_read
    assert "未读（1）" in client.get(CENTRE).text


def test_mark_read_does_not_redirect_off_site(client, world, mine):
    client.force_login(world.staff)
    response = client.post(read_url(mine[0]), {"next": "https://evil.example/"})
    assert response["Location"] == CENTRE


def test_another_users_notification_cannot_be_marked(client, world, theirs):
    client.force_login(world.staff)
    assert client.post(read_url(theirs)).status_code == 404
    assert client.post("/work/notifications/999999/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_post(client, world, mine):
    client.force_login(world.staff)
    assert client.get(read_url(mine[0])).status_code == 405
    assert client.get(READ_ALL).status_code == 405
    mine[0].refresh_from_db()
    assert mine[0].read_at is None


def test_mark_all_read_touches_only_ones_own(client, world, mine, theirs):
    client.force_login(world.staff)
    response = client.post(READ_ALL, follow=True)
    assert "已将 2 条通知标为已读" in response.text
    assert not Notification.objects.filter(recipient=world.staff, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_keyset_pages_go_back_in_time(client, world):
    for i in range(45):
        note(world.staff, f"第{i:02d}号通知", minutes_ago=100 - i)
    client.force_login(world.staff)
    seen, url, pages = [], CENTRE, 0
    while url:
        text = client.get(url).text
        pages += 1
        # Each text appears twice: in the item and in its button's hidden label.
        seen += list(dict.fromkeys(re.findall(r"第(\d\d)号通知", text)))
        more = re.search(r'href="(\?before=\d+)"', text)
        url = CENTRE + more.group(1) if more else None
    assert pages == 3
    assert seen == [f"{i:02d}" for i in range(44, -1, -1)]


def test_a_foreign_cursor_shows_the_first_page(client, world, mine, theirs):
    client.force_login(world.staff)
    text = client.get(CENTRE, {"before": theirs.pk}).text
    assert "意见B已答复" in text
    assert client.get(CENTRE, {"before": "abc"}).status_code == 200


def test_text_is_escaped_and_odd_links_are_not_links(client, world):
    note(world.staff, "<script>alert(1)</script>", url="javascript:alert(1)")
    client.force_login(world.staff)
    text = client.get(CENTRE).text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;" in text
    assert "javascript:" not in text


@pytest.mark.parametrize("rows", [5, 60])
def test_centre_query_count_is_fixed(client, world, rows, django_assert_max_num_queries):
    for i in range(rows):
        note(world.staff, f"通知{i}", minutes_ago=i)
    client.force_login(world.staff)
    first = client.get(CENTRE).text
    cursor = re.search(r"before=(\d+)", first)
    with django_assert_max_num_queries(5):
        client.get(CENTRE)
    if cursor:
        with django_assert_max_num_queries(6):
            client.get(CENTRE, {"before": cursor.group(1)})


def test_settings_choose_daily_digest(client, world):
    world.staff.email = "staff1@example.gov.cn"
    world.staff.save()
    client.force_login(world.staff)
    text = client.get(SETTINGS).text
    assert "s***@example.gov.cn" in text
    assert "staff1@example.gov.cn" not in text
    response = client.post(SETTINGS, {"notify_mode": "digest"}, follow=True)
    assert "消息接收方式已保存" in response.text
    world.staff.refresh_from_db()
    assert world.staff.notify_mode == NotifyMode.DIGEST
    assert DigestMarker.objects.get(user=world.staff).last_sent_at is not None
    event = Event.objects.get(verb="notify_mode_set")
    assert (event.actor, event.from_state, event.to_state) == (world.staff, "immediate", "digest")
    client.post(SETTINGS, {"notify_mode": "immediate"})
    world.staff.refresh_from_db()
    assert world.staff.notify_mode == NotifyMode.IMMEDIATE


def test_settings_refuse_an_unknown_mode(client, world):
    client.force_login(world.staff)
    response = client.post(SETTINGS, {"notify_mode": "hourly"})
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    world.staff.refresh_from_db()
    assert world.staff.notify_mode == NotifyMode.IMMEDIATE
    assert not Event.objects.filter(verb="notify_mode_set").exists()


def test_settings_without_an_address_say_where_notifications_go(client, world):
    client.force_login(world.deputy)
    assert "只会显示在通知中心" in client.get(SETTINGS).text


def test_context_processor_counts_unread_once(world, mine, theirs, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = world.staff
    context = unread_notifications(request)
    html = Template("{% include 'notifications/_nav_item.html' %}{{ notifications_unread }}")
    with django_assert_num_queries(1):
        rendered = html.render(Context({**context, "user": world.staff}))
    assert '2<span class="visually-hidden">条未读</span>' in rendered
    assert rendered.strip().endswith("2")


def test_context_processor_is_empty_for_anonymous(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert unread_notifications(request) == {}
