"""A model of what OCR does to a poor copy of a Vietnamese letter.

At a character error rate ``r`` each character is hit with probability about ``r``; what the hit
does depends on the character (stated shares below, chosen from how Tesseract's ``vie`` model
fails on faint photocopies: tone marks and vowel hooks go first, digits are read far more
reliably than letters). Spaces are merged or doubled, and faint seals leave junk lines.
"""
from __future__ import annotations

import re
import unicodedata

from ._rng import Rng

TONES = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")   # sắc huyền hỏi ngã nặng
HOOKS = ("\u0306", "\u0302", "\u031b")                          # breve, circumflex, horn
LOOK = {"l": "1I|", "1": "lI", "I": "l1", "0": "OoD", "O": "0", "o": "0c", "5": "S", "S": "5",
        "8": "B", "B": "8", "e": "c", "c": "e", "n": "u", "u": "n", "h": "b", "t": "f", "g": "q",
        "i": "l", "a": "o", "y": "v", "v": "y", ",": ".", ".": ",", ":": ";", "6": "b", "2": "Z",
        "Z": "2", "G": "C", "C": "G", "E": "F", "T": "I", "-": "—", "/": "l"}
PAIRS = {"rn": "m", "m": "rn", "cl": "d", "d": "cl", "ri": "n", "vv": "w", "nn": "m", "li": "h"}
DIGIT = {"0": "86", "1": "7", "2": "7", "3": "8", "4": "1", "5": "6", "6": "58", "7": "1",
         "8": "036", "9": "8"}
JUNK = ("* NHÂN DÂN *", "ỦY BAN", "~ ' ,. ;:", "—— · ĐẾN · ——", "'i;,~ .", "(((  ))", "Ð Ả N G",
        ". . ' :", "SAO Y BẢN CHÍNH", "PHƯ0NG", "\\ | /", "=~-_", "’‘ ”", "H.N *")
# Share of digits hit, relative to letters: digits are printed large and OCR's digit classes are
# few, so they survive better than letters with diacritics.
DIGIT_SHARE = 0.3


def _retone(ch: str, rng: Rng) -> str:
    nfd = unicodedata.normalize("NFD", ch)
    base, marks = nfd[0], nfd[1:]
    tones = [m for m in marks if m in TONES]
    hooks = [m for m in marks if m in HOOKS]
    roll = rng.random()
    if roll < 0.35 and tones:                 # tone mark lost: ế -> ê, ạ -> a
        marks = "".join(hooks)
    elif roll < 0.55 and tones:               # wrong tone: ế -> ề
        marks = "".join(hooks) + rng.choice([t for t in TONES if t not in tones])
    elif roll < 0.8 and hooks:                # hook lost: ơ -> o, ư -> u, ế -> é
        marks = "".join(tones)
    else:                                      # all marks lost
        marks = ""
    return unicodedata.normalize("NFC", base + marks)


def _spurious(ch: str, rng: Rng) -> str:
    return unicodedata.normalize("NFC", ch + rng.choice(TONES + HOOKS[1:2]))


def corrupt(text: str, rate: float, rng: Rng) -> str:
    """The text as OCR would read a copy with character error rate ``rate``."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\n\f":
            out.append(ch)
            i += 1
            continue
        digit = ch in DIGIT
        hit = rng.random() < (rate * DIGIT_SHARE if digit else rate)
        if not hit:
            out.append(ch)
            i += 1
            continue
        two = text[i:i + 2]
        if digit:
            roll = rng.random()
            if roll < 0.7:
                out.append(rng.choice(DIGIT[ch]))
            elif roll < 0.85 and ch in LOOK:
                out.append(rng.choice(LOOK[ch]))
            elif roll < 0.93:
                pass                                  # dropped
            else:
                out.append(ch + ch)
            i += 1
            continue
        if ch == "đ" or ch == "Đ":
            out.append("d" if ch == "đ" else rng.choice("DÐ"))
            i += 1
            continue
        if ch == " ":
            out.append("" if rng.random() < 0.8 else "  ")
            i += 1
            continue
        marked = len(unicodedata.normalize("NFD", ch)) > 1
        roll = rng.random()
        if marked and roll < 0.6:
            out.append(_retone(ch, rng))
        elif two in PAIRS and roll < 0.75:
            out.append(PAIRS[two])
            i += 2
            continue
        elif ch in PAIRS and roll < 0.7:
            out.append(PAIRS[ch])
        elif ch in LOOK and roll < 0.72:
            out.append(rng.choice(LOOK[ch]))
        elif roll < 0.8:
            pass                                      # dropped
        elif roll < 0.86:
            out.append(ch + ch)
        elif roll < 0.93 and ch.isalpha():
            out.append(ch + " ")                      # a word split
        elif ch.isalpha() and ch.isascii() and ch.lower() in "aeiouy":
            out.append(_spurious(ch, rng))            # a speck read as a tone mark
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def junk_lines(text: str, rate: float, rng: Rng) -> str:
    """Fragments of seals and stamps read as text, a few per page on poor copies."""
    pages = text.split("\f")
    for k, page in enumerate(pages):
        lines = page.split("\n")
        for _ in range(int(rng.random() < min(0.7, rate * 9)) + int(rng.random() < rate * 3)):
            at = rng.below(len(lines) + 1)
            lines.insert(at, rng.choice(JUNK))
        pages[k] = "\n".join(lines)
    return "\f".join(pages)


def reflow(text: str) -> str:
    """All line and page breaks replaced by spaces (an e-mail body, a PDF's text layer)."""
    return re.sub(r"[ \t]*[\n\f]+[ \t]*", " ", text).strip()


def ocr(text: str, rate: float, rng: Rng, reflowed: bool) -> str:
    """Junk lines, character errors, then (maybe) reflow."""
    text = junk_lines(text, rate, rng)
    text = corrupt(text, rate, rng)
    return reflow(text) if reflowed else text
