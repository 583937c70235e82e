"""Response headers: the Content-Security-Policy."""

import base64
import hashlib
import re
from pathlib import Path

from django.conf import settings

PACKAGE = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(PACKAGE.rglob("templates/**/*.html"))


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = [p.strip().split() for p in policy.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


# --- Content-Security-Policy -----------------------------------------------------------


def test_every_page_carries_a_strict_policy(client, db):
    policy = directives(client.get("/accounts/login/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert not any("unsafe-eval" in v or v == "*" for vs in policy.values() for v in vs)


def test_the_policy_is_on_error_pages_and_files_too(client, db):
    assert "Content-Security-Policy" in client.get("/no-such-page/")
    assert "Content-Security-Policy" in client.get("/static/css/zhitong.css")


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.relative_to(PACKAGE)}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(f"{path.relative_to(PACKAGE)}: event handler or javascript: URL")
    assert offenders == []


def test_no_template_has_a_style_block():
    assert [p for p in TEMPLATES if "<style" in p.read_text(encoding="utf-8")] == []


def test_every_inline_style_attribute_is_allowed_by_its_hash(client, db):
    """The policy refuses inline style but for the hashes it lists: each style="..." left
    in a template must be listed (better: moved to zhitong.css), and each hash listed must
    still be needed."""
    needed = set()
    for path in TEMPLATES:
        for value in re.findall(r'\sstyle="([^"]*)"', path.read_text(encoding="utf-8")):
            digest = base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()
            needed.add(f"'sha256-{digest}'")
    allowed = {v for v in directives(client.get("/"))["style-src"] if v.startswith("'sha256-")}
    assert allowed == needed
    assert set(settings.INLINE_STYLE_HASHES) == needed
