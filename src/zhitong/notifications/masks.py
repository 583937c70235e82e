"""Masked forms of phones and e-mail addresses: the only form of an address that goes to logs."""

import re


def mask_phone(phone: str) -> str:
    """'13900001234' -> '139****1234'; short numbers keep at most their last two digits."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 3:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(digits)


def mask_email(email: str) -> str:
    """'zhangsan@example.com' -> 'z***@example.com' (the domain says where it went, not who)."""
    local, sep, domain = (email or "").partition("@")
    if not sep:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_address(address: str) -> str:
    """Either of the above, chosen by the shape of `address`."""
    return mask_email(address) if "@" in (address or "") else mask_phone(address)


def scrub(text: str, address: str) -> str:
    """`text` with every occurrence of `address` replaced by its mask (for error messages)."""
    if not address:
        return text
    # Servers echo addresses back in their own case (SMTP replies), so match without it.
    return re.sub(re.escape(address), mask_address(address), text, flags=re.IGNORECASE)
