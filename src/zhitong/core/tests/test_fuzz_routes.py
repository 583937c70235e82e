"""Every route, with odd paths and parameters (NUL, overlong, bidi, broken encodings), answers
without a server error: anonymously, and signed in as staff."""

import re

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver

from zhitong.accounts.models import Role
from zhitong.testing import factories as f

pytestmark = pytest.mark.django_db

ODD = [
    "%00",
    "a%00b",
    "x" * 3000,
    "%E2%80%AEgnp.exe",  # right-to-left override
    "%E2%80%8B%E2%80%8B",  # zero-width spaces
    "%FF%FE%FD",  # not UTF-8
    "..%2F..%2Fetc%2Fpasswd",
    "%27%22%3C%3E",
    "K7QX-9MPA-3R%00",
    "%EF%BC%AB%EF%BC%97",  # full-width letters
]
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _routes(patterns=None, prefix=""):
    """Every route as a path template ("opinions/track/<str:code>/")."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _paths() -> list[str]:
    paths = set()
    for route in _routes():
        if route.startswith("^") or "admin/" in route:
            continue  # the Django admin, which has its own tests
        if not PARAMETER.search(route):
            paths.add("/" + route)
            continue
        for odd in ODD:
            paths.add(
                "/"
                + PARAMETER.sub(lambda m, odd=odd: "1" if m["converter"] == "int" else odd, route)
            )
            # and the same odd value in every string parameter, integers left valid
    return sorted(paths)


def _queries() -> list[str]:
    return [f"?q={odd}&page={odd}&district={odd}&code={odd}&status={odd}" for odd in ODD[:6]]


def _no_server_error(client, paths, method="get"):
    client.raise_request_exception = False
    failures = []
    for path in paths:
        for query in ("", *_queries()):
            cache.clear()  # the lookup limits must not hide a route behind a 429
            response = getattr(client, method)(path + query)
            if response.status_code >= 500:
                failures.append((method, path[:80], query[:40], response.status_code))
    return failures


FIELDS = [
    "subject",
    "content",
    "code",
    "score",
    "rating_key",
    "comment",
    "submission_key",
    "district",
    "place",
    "category",
    "submitter_name",
    "submitter_phone",
    "submitter_email",
    "address",
    "username",
    "password",
    "email",
    "language",
    "next",
]
ODD_VALUES = ["a\x00b", "x" * 100_000, "\u202egnp.exe", "\u200b\u200b", "\ud7ff", "1e999"]


def test_every_route_answers_odd_input_anonymously_without_a_server_error(client, district):
    paths = _paths()
    assert len(paths) > 50
    failures = _no_server_error(client, paths) + _no_server_error(client, paths, "post")
    assert failures == []


def _real_paths(district) -> list[str]:
    """Pages of real objects, so that odd fields reach the forms and not only a 404."""
    street = f.StreetFactory(parent=district)
    station = f.StationFactory(region=f.CommunityFactory(parent=street))
    deputy = f.DeputyFactory(district=district)
    f.StationAssignmentFactory(station=station, deputy=deputy)
    opinion = f.OpinionFactory(district=district, street=street, station=station)
    track = f"/opinions/track/{opinion.tracking_code}/"
    return [
        f"/opinions/new/station/{station.public_code}/",
        f"/opinions/new/deputy/{deputy.public_code}/",
        f"/stations/{station.public_code}/",
        f"/deputies/{deputy.public_code}/",
        track,
        track + "rate/",
        track + "main/",
    ]


def test_every_route_answers_odd_form_fields_without_a_server_error(client, district):
    client.raise_request_exception = False
    failures = []
    paths = [p for p in _paths() if "%" not in p and "x" * 100 not in p]
    for path in paths + _real_paths(district):
        for value in ODD_VALUES:
            cache.clear()
            response = client.post(path, dict.fromkeys(FIELDS, value))
            if response.status_code >= 500:
                failures.append((path, value[:10], response.status_code))
    assert failures == []


def test_every_route_answers_odd_input_to_staff_without_a_server_error(client, district):
    staff = f.UserFactory(username="fuzz-staff", role=Role.STAFF, region=district)
    client.force_login(staff)
    failures = _no_server_error(client, _paths())
    assert failures == []


@pytest.mark.parametrize("username", ["x" * 300, "a\x00b", "\u202eadmin"])
def test_odd_login_names_are_refused_without_a_server_error(client, username):
    client.raise_request_exception = False
    response = client.post("/accounts/login/", {"username": username, "password": "wrong-password"})
    assert response.status_code in (200, 400, 403, 429)
