"""Simulated OCR noise for Vietnamese petitions (benchmarks only).

At a character error rate ``rate`` characters are misread with that mean probability, the
way Tesseract misreads scans: marks dropped or confused (ơ→o, ư→u, đ→d, ầ→â, ệ→e), look-alike
glyphs (m→rn, rn→m, 0↔O, 1↔l, 5→S, 8→B, i→l), otherwise a wrong, missing, doubled letter,
or a space inserted or lost.
"""
from __future__ import annotations

import random
import unicodedata

_GLYPHS = {"m": "rn", "0": "O", "O": "0", "1": "l", "l": "1", "5": "S", "8": "B", "i": "l", "I": "l",
           "đ": "d", "Đ": "D", "ơ": "o", "ư": "u", "Ơ": "O", "Ư": "U", "c": "e", "e": "c", "n": "u", "u": "n"}
_LETTERS = "abcdeghiklmnopqrstuvxy"
# One digit read as another: only with ``digit_swaps``. Which digit becomes which, and how
# often, as Tesseract 5 (-l vie) read 182,000 digits of number-dense petition text set in
# DejaVu and Liberation Serif/Sans, 11-14 pt, 200 and 300 dpi, through the generator's scan
# simulator from clean to faded and black-and-white (349 digit-for-digit misreadings, mostly
# one-way: 3 read as 5 but seldom 5 as 3). Digits in such fonts are misread 0.01% (clean) to
# 0.7% (faded) of the time; a third of those errors give another digit, the rest a letter
# (1/T, 8/B, 5/S), nothing or a garbled stretch.
_DIGITS = {
    "0": (("9", 4), ("8", 4), ("7", 1), ("2", 1), ("1", 1)),
    "1": (("3", 3), ("4", 2), ("9", 1), ("6", 1)),
    "2": (("3", 17), ("7", 3), ("9", 1), ("5", 1), ("1", 1)),
    "3": (("5", 55), ("2", 7), ("9", 4), ("8", 3), ("4", 3), ("1", 2)),
    "4": (("1", 42), ("9", 1), ("3", 1), ("0", 1)),
    "5": (("9", 21), ("3", 11), ("6", 8), ("8", 5), ("2", 3), ("0", 2)),
    "6": (("8", 18), ("0", 6), ("5", 5)),
    "7": (("2", 8), ("1", 3), ("6", 1)),
    "8": (("6", 22), ("0", 9), ("9", 8), ("3", 2), ("5", 1), ("2", 1), ("1", 1)),
    "9": (("8", 20), ("3", 16), ("0", 8), ("5", 4), ("6", 3), ("1", 2), ("2", 1)),
}


def _misread_digit(ch: str, rng: random.Random) -> str:
    """Another digit for ``ch``, drawn as often as Tesseract read it so (``_DIGITS``)."""
    targets, counts = zip(*_DIGITS[ch], strict=True)
    return rng.choices(targets, weights=counts)[0]


def _marks(ch: str, rng: random.Random) -> str:
    """Drop or change the diacritics of one letter."""
    d = unicodedata.normalize("NFD", ch)
    base, marks = d[0], d[1:]
    if not marks:
        return ch
    keep = [m for m in marks if rng.random() < 0.5]
    if rng.random() < 0.3:
        keep.append(rng.choice("\u0300\u0301\u0303\u0309\u0323"))
    return unicodedata.normalize("NFC", base + "".join(keep[:2]))


def ocr_noise(text: str, rate: float, rng: random.Random, digit_swaps: float = 0.0) -> str:
    """``text`` as an OCR engine with character error rate ``rate`` might have read it.

    With ``digit_swaps`` that share of the errors a digit gets (as often as a plain letter)
    read it as another digit, before the errors above; the default noise never does.
    """
    if digit_swaps:
        text = "".join(_misread_digit(ch, rng) if ch in _DIGITS and rng.random() < rate * 0.49 * digit_swaps else ch
                       for ch in text)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        # Marks are what Tesseract gets wrong most: a marked letter is misread ~4.5x as
        # often as a plain one (calibrated so that folded 5-gram Jaccard to the clean text
        # is ~0.91 at 3% and ~0.75 at 10%, as measured on real scans for issue 5).
        marked = ch in "đĐ" or unicodedata.normalize("NFD", ch) != ch
        if ch == "\n" or rng.random() >= rate * (2.2 if marked else 0.49):
            out.append(ch)
            i += 1
            continue
        if text.startswith("rn", i) and rng.random() < 0.5:
            out.append("m")
            i += 2
            continue
        if unicodedata.normalize("NFD", ch) != ch and ch not in "đĐ":
            out.append(_marks(ch, rng))
        elif ch in _GLYPHS and rng.random() < 0.7:
            out.append(_GLYPHS[ch])
        elif ch == " ":
            out.append("" if rng.random() < 0.6 else " ")
        else:
            r = rng.random()
            if r < 0.5:
                out.append(rng.choice(_LETTERS))
            elif r < 0.75:
                pass
            elif r < 0.9:
                out.append(ch + ch)
            else:
                out.append(ch + " ")
        i += 1
    return "".join(out)
