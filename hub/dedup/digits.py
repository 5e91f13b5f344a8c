"""OCR's digit tolerance, in one place: the look-alike table and "the same number, allowing for OCR".

OCR reads some letters in place of digits (O for 0, l for 1, S for 5, B for 8) and drops,
adds or changes single digits. The look-alike table is the edge's (``LOOKALIKE`` in
``edge.fingerprint.identity``, which reads ID and phone numbers with it); here it is also
given for the fingerprint form (lower case, no separators), and every test of "one number
as OCR may give it" the matcher makes lives below.

The lengths in these tests are hand-set, not fitted: an edit is allowed only in numbers long
enough (four or five digits) that another number one edit away is unlikely to be the
letter's own, and two from nine digits on, the length of the old ID card (CMND; CCCD has 12).
"""
from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from edge.fingerprint.identity import CONFUSABLE, LOOKALIKE

DIGITLIKE = CONFUSABLE  # for text as written
# For the fingerprint form (lower case): the table's lower-case letters.
DIGITLIKE_FOLDED = str.maketrans({k: v for k, v in LOOKALIKE.items() if k.islower()})


def close(a: str, b: str) -> bool:
    """Equal, or (for long plain numbers) one edit apart or one a piece of the other (OCR split it).

    Dates must agree exactly: 6/6/2025 and 6/8/2025 are one keystroke apart and two matters.
    A date OCR misread into no date (1/6/205, 10/82025) is compared as a plain number.
    """
    if a == b:
        return True
    if is_date(a) and is_date(b):
        # Only the month of one letter's date (11/2025 for 22/11/2025): a re-typed copy's wording.
        short, long_ = (a, b) if a.count("/") < b.count("/") else (b, a)
        return short.count("/") == 1 and long_.count("/") == 2 and long_.endswith("/" + short)
    # A house or decision number given in full in one letter, in part in the other (264/88, 264).
    if ("/" in a) != ("/" in b):
        slashed, plain = (a, b) if "/" in a else (b, a)
        if len(plain) >= 3 and plain in slashed.split("/"):
            return True
    a, b = a.replace("/", ""), b.replace("/", "")
    if a == b:
        return True
    if min(len(a), len(b)) >= 4 and (a in b or b in a):
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def alike(a: str, b: str) -> bool:
    """:func:`close`, or what OCR may have made of one number in a letter that should give
    none of the other's: a four-digit number one digit off, a date cut short (9/5/2, 13/7)."""
    if close(a, b):
        return True
    if "/" in a and "/" in b:
        short, long_ = sorted((a, b), key=len)
        return not is_date(short) and long_.startswith(short)
    return min(len(a), len(b)) >= 4 and Levenshtein.distance(a, b, score_cutoff=1) <= 1


def is_date(n: str) -> bool:
    """Is ``n`` (as :func:`specific_numbers` gives it) a valid date or month/year?"""
    parts = n.split("/")
    return len(parts) in (2, 3) and len(parts[-1]) == 4 and well_formed(n)


def well_formed(n: str) -> bool:
    """Could ``n`` (as :func:`specific_numbers` gives it) be written as it reads: a valid date,
    month/year, or a plain or slashed number?"""
    parts = n.split("/")
    if len(parts) == 3:
        d, m, y = (int(p) for p in parts)
        return 1 <= d <= 31 and 1 <= m <= 12 and len(parts[2]) == 4 and 1900 <= y <= 2100
    if len(parts) == 2 and len(parts[1]) == 4:
        return 1 <= int(parts[0]) <= 12 and 1900 <= int(parts[1]) <= 2100
    return len(parts) <= 2


def one_digit_off(x: str, y: str) -> bool:
    """Equal, or of one length with one character different (a misread digit)."""
    if x == y:
        return True
    if len(x) != len(y):
        return False
    i = 0
    while x[i] == y[i]:
        i += 1
    return x[i + 1:] == y[i + 1:]


def read_digits(run: str) -> str:
    """The digits of a number in fingerprint form: look-alike letters read as digits, other
    letters dropped."""
    return run if run.isdigit() else re.sub(r"[a-z]", "", run.translate(DIGITLIKE_FOLDED))


def written_date(n: str) -> bool:
    """Digits that read as a date or a month written in full, in fingerprint form: 30/04/2025
    (eight digits), 04/2025 or 4/2025 (six or five)."""
    if len(n) not in (5, 6, 8) or n[-4:-2] not in ("19", "20"):
        return False
    day, month = (n[:2], n[2:4]) if len(n) == 8 else ("1", n[:-4])
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def same_number(x: str, ys: set[str]) -> bool:
    """Is ``x`` one of ``ys`` as OCR may give it: a piece of it (a misread letter split it), one
    digit dropped, added or misread, or (from nine digits on) two. Two dates or months written
    in full with as many digits must agree: 30/04/2025 and 30/01/2025, or 4/2024 and 8/2024,
    are one digit apart and two visits or two periods."""
    for y in ys:
        if x == y or x in y or y in x:
            return True
        if len(x) == len(y) and written_date(x) and written_date(y):
            continue  # another digit in a date; a digit dropped (12/2025 read 1/2025) may be OCR
        if amounts(x, y):  # one digit, not the two allowed in long ID numbers
            most = 1
        else:
            most = 2 if min(len(x), len(y)) >= 9 else 1 if max(len(x), len(y)) >= 4 else 0
        if most and Levenshtein.distance(x, y, score_cutoff=most) <= most:
            return True
    return False


def amounts(x: str, y: str) -> bool:
    """Two amounts in as many thousands (49.000.000.000 and 13.000.000.000): OCR may have
    misread one of their digits, not two."""
    zeros = len(x) - len(x.rstrip("0"))
    return zeros >= 3 and len(y) == len(x) and len(y) - len(y.rstrip("0")) == zeros
