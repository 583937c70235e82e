"""Masking personal data (脱敏): for lists, exports and the public timeline, and the only form
of a phone number or e-mail address that goes into logs and error texts. One module for
every app."""

from __future__ import annotations

import re

MASK = "*"


def mask_name(name: str | None) -> str:
    """Keep the first character: "张三丰" -> "张**", "李四" -> "李*", "Ann Lee" -> "A******"."""
    name = (name or "").strip()
    if not name:
        return ""
    if len(name) == 1:
        return MASK
    return name[0] + MASK * (len(name) - 1)


def mask_phone(phone: str | None) -> str:
    """Keep the first three and last four digits of a mobile: "13900001234" -> "139****1234".

    Shorter numbers (landlines, extensions) keep only their last two digits.
    """
    phone = (phone or "").strip()
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]  # +86 country code
    if len(digits) >= 11:
        return digits[:3] + MASK * (len(digits) - 7) + digits[-4:]
    if len(digits) <= 2:
        return MASK * len(digits)
    return MASK * (len(digits) - 2) + digits[-2:]


def mask_email(email: str | None) -> str:
    """Keep the first character of the mailbox and the domain: "zhang@qq.com" -> "z***@qq.com"."""
    email = (email or "").strip()
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at:
        return mask_name(email)
    return (local[:1] + MASK * 3 if local else MASK) + "@" + domain


# Where an address stops naming an area and starts naming a building or a door.
_ADDRESS_CUT = re.compile(r"(\d|号|栋|幢|楼|单元|室|门牌)")


def mask_street_address(address: str | None) -> str:
    """Keep the area (road or community) and hide the house number onwards.

    "中山路123号5栋2单元301室" -> "中山路****"; an address without numbers keeps its
    first half.
    """
    address = (address or "").strip()
    if not address:
        return ""
    match = _ADDRESS_CUT.search(address)
    keep = match.start() if match else len(address) // 2
    keep = min(keep, max(len(address) - 1, 0))
    return address[:keep] + MASK * 4


def mask_contact(contact: str | None) -> str:
    """A phone number or an e-mail address (where a message went), masked by its shape."""
    return mask_email(contact) if "@" in (contact or "") else mask_phone(contact)


def scrub(text: str, contact: str) -> str:
    """`text` with every occurrence of `contact` replaced by its mask (for error messages)."""
    if not contact:
        return text
    # Servers echo addresses back in their own case (SMTP replies), so match without it.
    return re.sub(re.escape(contact), mask_contact(contact), text, flags=re.IGNORECASE)
