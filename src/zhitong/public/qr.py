"""QR codes (二维码) for stations and deputies: the absolute opinion-form URL they encode, as SVG or PNG."""

import hashlib
import io

import segno
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}

# Bump when the rendering options below change, so cached images and ETags renew.
RENDER_VERSION = "1"
# Error correction M survives a smudged or partly covered print; segno raises it
# further when the data leaves room in the chosen version.
ERROR_LEVEL = "m"
# 10 px per module: about 400 px square for a typical URL, sharp when printed at 3–4 cm.
SCALE = 10
# The four-module quiet zone the standard requires around the symbol.
BORDER = 4


def station_target(public_code: str) -> str:
    """The absolute URL a station's QR code leads to: its stable opinion form."""
    return absolute(reverse("public:opinion_new_station", args=[public_code]))


def deputy_target(public_code: str) -> str:
    """The absolute URL a deputy's QR code leads to (一码一代表)."""
    return absolute(reverse("public:opinion_new_deputy", args=[public_code]))


def absolute(path: str) -> str:
    # The configured public address, not the request's Host: printed codes must
    # keep working whichever internal host or proxy served the page that made them.
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def qr_bytes(target_url: str, fmt: str) -> bytes:
    """The QR code for `target_url` as an SVG or PNG file's bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown QR format {fmt!r}")
    # make_qr, never segno.make: a short URL would otherwise become a Micro QR,
    # which most phone cameras cannot read.
    code = segno.make_qr(target_url, error=ERROR_LEVEL)
    out = io.BytesIO()
    if fmt == "svg":
        # omitsize gives a viewBox instead of fixed pixels, so CSS can size it; a white
        # background keeps the quiet zone on dark pages and coloured paper.
        code.save(
            out,
            kind="svg",
            scale=SCALE,
            border=BORDER,
            xmldecl=True,
            omitsize=True,
            light="#fff",
        )
    else:
        code.save(out, kind="png", scale=SCALE, border=BORDER)
    return out.getvalue()


def qr_etag(target_url: str, fmt: str) -> str:
    """A strong ETag that changes when the target or the rendering changes."""
    digest = hashlib.sha256(f"{RENDER_VERSION}|{fmt}|{target_url}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def qr_cached(target_url: str, fmt: str) -> bytes:
    """`qr_bytes`, kept in the cache: pages showing a code fetch it on every view."""
    key = "zt:qr:" + qr_etag(target_url, fmt).strip('"')
    return cache.get_or_set(key, lambda: qr_bytes(target_url, fmt), timeout=86400)
