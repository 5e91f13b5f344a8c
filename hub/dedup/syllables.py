"""The Vietnamese syllables that standard spelling allows, generated from phonotactics.

A syllable is an onset, a rhyme and a tone. The table is built here by code, not read from
a word list: the 27 onsets (none, b, c, ch, d, đ, g, gh, gi, h, k, kh, l, m, n, ng, ngh,
nh, p, ph, qu, r, s, t, th, tr, v, x), the rhymes (a medial o/u, a vowel nucleus, a final
consonant or semivowel) and the six tones, with the standard spelling rules:

- k, gh and ngh stand before i, y, e, ê (and iê); c, g and ng before every other vowel;
- q is always written qu, and qu takes the rhymes without a medial (qua, quê, quyên);
- gi before a rhyme starting with i drops that i (gì, giếng); iê is written yê and the
  rhymes uyê, uy with no onset or after qu; an onsetless iê rhyme is written yê;
- a syllable closed by p, t, c or ch takes only the sắc or nặng tone.

Proper names and loanwords fall outside the table; what matters here is that OCR's
misreadings (a mark dropped or doubled, a letter changed) mostly do too, so the share of a
letter's words outside it rises with its noise (``noise``).
"""
from __future__ import annotations

import functools
import unicodedata

ONSETS = ("", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh",
          "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x")

# Rhymes without tone, by nucleus: the open ones, then those closed by a consonant.
_OPEN = ("a", "e", "ê", "i", "y", "o", "ô", "ơ", "u", "ư",
         "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui", "ưa", "ưi",
         "ưu", "iêu", "yêu", "uôi", "ươi", "ươu",
         "oa", "oe", "uê", "uy", "oai", "oay", "oao", "oeo", "uơ", "uya", "uyu", "uây", "uâu")
_CLOSED = {
    "a": "m n ng nh p t c ch", "ă": "m n ng p t c", "â": "m n ng p t c", "e": "m n ng p t c",
    "ê": "m n nh p t ch", "i": "m n nh p t ch", "o": "m n ng p t c", "ô": "m n ng p t c",
    "ơ": "m n p t", "u": "m n ng p t c", "ư": "m n ng t c",
    "iê": "m n ng p t c", "yê": "m n ng p t c", "uô": "m n ng t c", "ươ": "m n ng p t c",
    "oa": "m n ng nh p t c ch", "oă": "m n ng t c", "oe": "m n t", "uâ": "n ng t", "uê": "nh ch",
    "uy": "n nh p t ch", "uyê": "n t", "oo": "ng c",
}
_CHECKED = ("p", "t", "c", "ch")  # closed syllables: sắc or nặng only
_FRONT = ("i", "y", "e", "ê")  # before these, k / gh / ngh
_MEDIAL = ("oa", "oă", "oe", "oo", "uâ", "uê", "uy", "uơ")  # a medial o/u before the nucleus (oo: the long o)


def _rhymes() -> list[str]:
    out = list(_OPEN)
    for nucleus, codas in _CLOSED.items():
        out += [nucleus + c for c in codas.split()]
    return out


def _allowed(onset: str, rhyme: str) -> str | None:
    """The spelling of ``onset`` + ``rhyme`` under the standard rules, or None when there is none."""
    medial = rhyme.startswith(_MEDIAL)
    if onset == "qu":
        # qu is the onset k with the medial or the vowel u: qua, quân, quê, quyết, quốc.
        if not (medial or rhyme.startswith("u")) or rhyme.startswith(("ư", "ua", "ui", "uu")):
            return None
        return "qu" + rhyme[1:]
    if rhyme.startswith("y") and rhyme != "y" and onset:
        return None  # yê, yêu: only with no onset (tiên, not tyên)
    if rhyme.startswith("iê") and not onset:
        return None  # written yê with no onset
    if onset in ("k", "gh", "ngh") and not rhyme.startswith(_FRONT):
        return None
    if onset in ("c", "g", "ng") and rhyme.startswith(_FRONT):
        return None
    if onset in ("c", "k") and medial and not rhyme.startswith("oo"):
        return None  # the medial after k is written qu (quân, not cuân)
    if onset == "gi" and rhyme.startswith("i"):
        return "g" + rhyme  # gì, giếng
    if onset == "gh" and medial:
        return None
    return onset + rhyme


@functools.cache
def toneless() -> frozenset[str]:
    """Every allowed syllable without its tone (lower case, NFC)."""
    out = set()
    for onset in ONSETS:
        for rhyme in _rhymes():
            s = _allowed(onset, rhyme)
            if s:
                out.add(unicodedata.normalize("NFC", s))
    return frozenset(out)


_TONES = {"\u0300": "huyền", "\u0301": "sắc", "\u0303": "ngã", "\u0309": "hỏi", "\u0323": "nặng"}


@functools.lru_cache(maxsize=65536)  # a language has a few thousand words in use: each is decided once
def is_syllable(word: str) -> bool:
    """Is ``word`` (one syllable, any case) written as standard Vietnamese spelling allows?"""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    if base not in toneless():
        return False
    if tones and base.endswith(_CHECKED) and _TONES[tones[0]] not in ("sắc", "nặng"):
        return False
    return True
