"""Telephone numbers as typed by citizens and staff: a mainland mobile number (which can
receive a text message) or a landline with its area code (which cannot)."""

import re

MOBILE = re.compile(r"1[3-9]\d{9}")
# 区号-号码, with an optional extension: 027-88886666, 02788886666, 027-88886666-123.
LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?")
PHONE_NOISE = re.compile(r"[\s()（）]+")


def normalize_mobile(text: str) -> str | None:
    """An 11-digit mainland mobile number from what was typed ("+86 139-0000-1234"), or None."""
    digits = PHONE_NOISE.sub("", text or "").replace("-", "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if MOBILE.fullmatch(digits) else None


def normalize_phone(text: str, *, mobile_only: bool) -> str | None:
    """A mobile number, or (unless `mobile_only`) a landline as 区号-号码; None if neither."""
    mobile = normalize_mobile(text)
    if mobile or mobile_only:
        return mobile
    typed = PHONE_NOISE.sub("", text or "")
    match = LANDLINE.fullmatch(typed)
    if not match:
        return None
    area, number, extension = match.groups()
    if "-" not in typed[: len(area) + 1]:
        # Without a dash the split is by the numbering plan: 010 and 02X are the 3-digit
        # area codes (Beijing, Wuhan 027, ...), every other one has 4 digits.
        digits = area + number
        size = 3 if digits[1] in "12" else 4
        area, number = digits[:size], digits[size:]
        if not 7 <= len(number) <= 8:
            return None
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


def is_mobile(text: str) -> bool:
    """Whether `text` is a mobile number: the only kind of number a text message reaches."""
    return normalize_mobile(text) is not None
