"""Identity keys found in a petition's text: CCCD/CMND numbers and phone numbers.

They link documents of the same citizen (a different matter is still the same person).
OCR confuses some letters with digits inside numbers (O/0, l/1, S/5, B/8), so runs of
digit-like characters are folded before matching.
"""
from __future__ import annotations

import re

from edge.fingerprint.normalize import strip_diacritics

# The one table of letters OCR reads in place of digits (the hub's matcher reads numbers
# with it too: ``hub.dedup.digits``).
LOOKALIKE = {"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1", "S": "5", "s": "5",
             "B": "8", "Z": "2", "z": "2", "G": "6"}
CONFUSABLE = str.maketrans(LOOKALIKE)
# A run starting with a digit, of digits and digit-like letters; a separator must be followed by a digit.
_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[0-9OoDQlIi|SsBZzG]|[ .\-][0-9])*(?![0-9A-Za-z])")
_CCCD_CUE = re.compile(r"(cccd|can cuoc|cmnd|chung minh|dinh danh)", re.IGNORECASE)
_PHONE_CUE = re.compile(r"(dien thoai|dt|sdt|phone|lien he|mobile)", re.IGNORECASE)
_MOBILE_PREFIXES = ("3", "5", "7", "8", "9")


def _digits(run: str) -> str:
    folded = run.translate(CONFUSABLE)
    if not re.fullmatch(r"[0-9 .\-]+", folded):
        return ""
    return re.sub(r"[ .\-]", "", folded)


def normalize_phone(digits: str) -> str | None:
    """Vietnamese phone number → ``+84…`` form, or None if it is not one."""
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if len(digits) == 10 and digits[0] == "0" and digits[1] in (*_MOBILE_PREFIXES, "2"):
        return "+84" + digits[1:]
    if len(digits) == 11 and digits.startswith("02"):
        return "+84" + digits[1:]
    return None


def identity_keys(text: str) -> tuple[str, ...]:
    """Sorted unique keys like ``cccd:001085012345``, ``cmnd:012345678``, ``phone:+84912345678``."""
    plain = strip_diacritics(text)
    keys: set[str] = set()
    for m in _RUN.finditer(plain):
        digits = _digits(m.group(0).strip())
        if not digits:
            continue
        context = plain[max(0, m.start() - 40): m.start()]
        phone = normalize_phone(digits)
        if phone and (_PHONE_CUE.search(context) or not _CCCD_CUE.search(context)):
            keys.add(f"phone:{phone}")
        elif len(digits) == 12 and _CCCD_CUE.search(context):
            keys.add(f"cccd:{digits}")
        elif len(digits) == 9 and _CCCD_CUE.search(context):
            keys.add(f"cmnd:{digits}")
    return tuple(sorted(keys))
