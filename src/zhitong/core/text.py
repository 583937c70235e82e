"""Text from outside (forms, file names, spreadsheets) without invisible control characters."""

import re
import unicodedata

# Bidirectional overrides and isolates (U+202A-202E, U+2066-2069) and marks (U+200E/F,
# U+061C): "BIDI\u202egnp.exe" shows as "BIDIexe.png". Zero-width characters (U+200B,
# U+200C, U+2060, U+FEFF, U+180E) make a blank subject look filled, or two names look the
# same. The zero-width joiner (U+200D) is kept: emoji sequences need it.
_INVISIBLE = {
    ch for ch in map(chr, range(0x110000)) if unicodedata.category(ch) == "Cf" and ch != "\u200d"
}
# C0 and C1 controls other than tab and line breaks.
_CONTROLS = {chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]} - {"\t", "\n", "\r"}
_REMOVE = re.compile("[" + re.escape("".join(sorted(_INVISIBLE | _CONTROLS))) + "]")


def strip_invisible(text: str) -> str:
    """`text` without bidi controls, zero-width characters and control characters."""
    if not text:
        return text
    return _REMOVE.sub("", text)


def has_invisible(text: str) -> bool:
    return bool(text) and _REMOVE.search(text) is not None
