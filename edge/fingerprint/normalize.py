"""Text normalization shared by fingerprints (edge and hub) and search folding.

Vietnamese has two conventions for placing the tone mark in some diphthongs (hoà/hòa,
thuỷ/thủy); OCR adds dropped diacritics and confused letters. For matching and search
we fold text to a diacritic-free, case-free form so both conventions and most
diacritic errors meet; the displayed text keeps what was read.
"""
from __future__ import annotations

import re
import unicodedata

_NON_FP = re.compile(r"[^0-9a-z]+")
_NON_FP_BYTES = re.compile(rb"[^0-9a-z]+")
_NON_TEXT_OR_MARK = re.compile("[^0-9a-z \u0300-\u036f]+")
# Old-style tone placement -> new style (tone on the main vowel), applied on NFC text.
_TONE_PAIRS = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}
_TONE_RE = re.compile("|".join(_TONE_PAIRS), re.IGNORECASE)


def _strip_table() -> dict[int, str]:
    # Precomputed for every precomposed Latin letter: str.translate is ~10x faster than
    # decomposing and filtering character by character, which matters at 1 ms per page.
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch:
            table[cp] = base
    for cp in range(0x300, 0x370):  # stray combining marks
        table[cp] = ""
    return table


_STRIP = _strip_table()


def nfc(text: str) -> str:
    """Unicode NFC: one code point per accented letter, as Vietnamese text is usually stored."""
    return unicodedata.normalize("NFC", text)


def unify_tone_placement(text: str) -> str:
    """Map both tone-placement conventions (hòa/hoà, thủy/thuỷ) to one, keeping case of the first letter."""

    def repl(m: re.Match[str]) -> str:
        s = m.group(0)
        out = _TONE_PAIRS[s.lower()]
        return out[0].upper() + out[1:] if s[0].isupper() else out

    return _TONE_RE.sub(repl, nfc(text))


def strip_diacritics(text: str) -> str:
    """Remove every combining mark and map đ/Đ to d/D."""
    # Letters outside the table (Greek, Cyrillic) keep their marks: petitions are Vietnamese,
    # and the fingerprint form drops anything but a-z and digits anyway.
    return nfc(text).translate(_STRIP)


def _plain(text: str) -> str:
    """Casefolded, decomposed, đ as d: what remains of a letter besides a-z is a combining mark.

    For the a-z and digits the search and fingerprint forms keep, this reads the same as
    :func:`strip_diacritics` then casefolding (a test checks every code point), at a third of
    the cost: the hub folds every text it receives.
    """
    # U+0345 casefolds to a letter (ι); as a mark it goes before.
    return unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D").replace("\u0345", "").casefold()


def fold(text: str) -> str:
    """Search form: diacritic-free, casefolded, punctuation to spaces, single spaces."""
    # No tone-placement unifying needed: with the marks stripped, hoà and hòa are both hoa.
    # Marks survive the first substitution (so a mark does not split its word) and go with
    # every other non-ASCII character in the encoding.
    return " ".join(_NON_TEXT_OR_MARK.sub(" ", _plain(text)).encode("ascii", "ignore").decode().split())


def fingerprint_text(text: str) -> str:
    """Fingerprint form: the search form without any whitespace (OCR splits and joins words)."""
    # Tone placement needs no unifying here: stripping the marks makes both conventions equal.
    return _NON_FP_BYTES.sub(b"", _plain(text).encode("ascii", "ignore")).decode()


def fingerprint_pieces(text: str, separator: re.Pattern) -> list[str]:
    """:func:`fingerprint_text` of each piece of ``text`` split at ``separator`` (whitespace
    only: NFC and casefolding never act across it), in one pass over the text."""
    return [_NON_FP.sub("", p) for p in separator.split(_plain(text))]
