"""Reading settings from the environment (12-factor), in one place."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in TRUE_WORDS


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def debug_allowed_hosts(public_base_url: str) -> list[str]:
    """The hosts a development server answers: this machine, and the host of the public
    address (`make run HOST=0.0.0.0` sets it to the LAN address a phone opens)."""
    hosts = ["127.0.0.1", "localhost"]
    try:
        public_host = urlsplit(public_base_url).hostname or ""
    except ValueError:
        public_host = ""
    if ":" in public_host:
        public_host = f"[{public_host}]"  # an IPv6 literal, as Django matches it
    if public_host and public_host not in hosts:
        hosts.append(public_host)
    return hosts


def secret_key(*, debug: bool, key_file: Path) -> str:
    """SECRET_KEY from the environment; in DEBUG a generated one kept in an ignored file.

    Without DEBUG the site refuses to start without SECRET_KEY, so no deployment ever
    runs on a key that sits in a working copy.
    """
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not debug:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for local development)."
        )
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
