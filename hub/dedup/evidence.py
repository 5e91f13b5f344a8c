"""Evidence that two similar letters are different matters: other ID cards, other numbers.

Two matters of one citizen on one template, or two neighbours using the same letter-writing
service, can differ only in a decision, parcel or house number, a date or the ID-card
number. OCR confuses digits with look-alike letters (0/O, 1/l, 5/S, 8/B) and drops or
changes single digits, so numbers are folded and compared with one edit of tolerance.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from edge.fingerprint.identity import CONFUSABLE, identity_keys
from edge.fingerprint.normalize import strip_diacritics
from hub.dedup.digits import DIGITLIKE, alike, close, is_date, one_digit_off, well_formed

# A number: starts with a digit, digits or look-alike letters, parts joined by / . - or ,
_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d[\dOolI|SB]*(?:[./,\-][\dOolI|SB]+)*(?![0-9A-Za-z])")
_YEAR = re.compile(r"(19|20)\d\d")
MIN_SHARED = 0.6  # share of the smaller list's numbers the other letter must also hold


def _norm(raw: str) -> str:
    parts = [p for p in re.split(r"[./,\-]", raw.translate(DIGITLIKE)) if p]
    if not all(p.isdigit() for p in parts):
        return ""
    if len(parts) == 1:
        return parts[0]
    # 12/03/2025 and 12/3/2025 are one date; 1.250.000 and 1250000 one amount.
    if all(len(p) == 3 for p in parts[1:]) and len(parts[0]) <= 3 and len(parts) > 1 and "/" not in raw:
        return "".join(parts)
    return "/".join(str(int(p)) for p in parts)


# Lines giving the petitioner's particulars: the same on every letter of one citizen, so
# they say nothing about the matter (and a citizen's other matters share them all).
_CUES = ("toi ten la", "ho va ten", "ho ten", "ngay sinh", "sinh ngay", "nam sinh", "so cccd", "cccd", "so cmnd",
         "cmnd", "can cuoc", "chung minh", "so dinh danh", "dia chi", "noi cu tru", "noi o", "thuong tru",
         "tam tru", "dien thoai", "so dien thoai", "sdt", "email", "cap ngay", "noi cap")
_PARTICULARS = re.compile(r"^\W*(" + "|".join(_CUES) + ")")
# The same cues in fingerprint form (no spaces or punctuation).
_PARTICULARS_FP = re.compile("^(" + "|".join(c.replace(" ", "") for c in _CUES) + ")")


def gives_particulars(fingerprint_form: str) -> bool:
    """Does a passage (in fingerprint form) give the petitioner's particulars?"""
    return _PARTICULARS_FP.match(fingerprint_form) is not None


_LONG_CUES = tuple(sorted({c.replace(" ", "") for c in _CUES if len(c.replace(" ", "")) >= 6}))


def may_give_particulars(fingerprint_form: str) -> bool:
    """:func:`gives_particulars`, or a passage starting with a cue of six letters or more
    that OCR misread by one letter ("diachhi", "solienthoai"): it may be a particulars line."""
    if gives_particulars(fingerprint_form):
        return True
    head = fingerprint_form[:16]
    return any(Levenshtein.distance(cue, head[:k], score_cutoff=1) <= 1
               for cue in _LONG_CUES for k in (len(cue) - 1, len(cue), len(cue) + 1))


@functools.lru_cache(maxsize=64)
def _matter_plain(text: str) -> str:
    """``text`` stripped of diacritics, without the lines giving the petitioner's particulars
    (name, birth, ID, address, phone); kept for the last few texts, as the numbers and the
    garbled dates of one letter are both read from it."""
    # One pass over the whole text (NFC never joins characters across a line break).
    lines = strip_diacritics(text).replace("\f", "\n").split("\n")
    return "\n".join(p for p in lines if not _PARTICULARS.match(p.casefold().lstrip()))


def specific_numbers(text: str, *, particulars: bool = True, keys: Iterable[str] | None = None) -> set[str]:
    """Numbers that identify a matter: decision, parcel and house numbers, amounts, dates.

    ID-card and phone numbers have their own check, and a bare year or a one- or two-digit
    number is too common to tell matters apart, so they are left out. With
    ``particulars=False`` the petitioner's particulars lines (birth date, house number) are
    left out too: for two letters of one citizen they agree whatever the matter. ``keys`` are
    the text's identity keys when already known (as stored with a document).
    """
    plain = strip_diacritics(text) if particulars else _matter_plain(text)
    citizen = {k.split(":", 1)[1].removeprefix("+84") for k in (identity_keys(text) if keys is None else keys)}
    out = set()
    for m in _NUMBER.finditer(plain):
        n = _norm(m.group(0))
        digits = n.replace("/", "")
        if len(digits) < 3 or _YEAR.fullmatch(n) or not digits.strip("0"):
            continue  # a bare year, too short, or zeros (the tail of an amount OCR broke up)
        if digits in citizen or any(len(digits) >= 9 and (digits.endswith(c) or c.endswith(digits))
                                    for c in citizen):
            continue
        if len(digits) >= 9 and n.isdigit() and not _grouped_amount(m.group(0), n):
            continue  # an ID or phone number without its cue word
        out.add(n)
    return out


def _grouped_amount(raw: str, n: str) -> bool:
    """Is ``raw`` an amount written in groups of thousands (49.000.000.000), not an ID or
    phone number? Nine digits and more are common in amounts of đồng."""
    return n.endswith("000") and any(sep in raw for sep in ".,")


def shared_numbers(a: set[str], b: set[str]) -> float | None:
    """Share of the smaller set's numbers found (within one edit) in the other; None if either is empty."""
    if not a or not b:
        return None
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    hit = sum(1 for x in small if x in large or any(close(x, y) for y in large))
    return hit / len(small)


def numbers_conflict(text_a: str, text_b: str, *, particulars: bool = True) -> bool:
    """Do the two texts disagree on the numbers that identify a matter (and, by default, a person)?"""
    return numbers_disagree(specific_numbers(text_a, particulars=particulars),
                            specific_numbers(text_b, particulars=particulars))


def numbers_disagree(a: set[str], b: set[str]) -> bool:
    """:func:`numbers_conflict` on the two texts' :func:`specific_numbers`, already found.

    For letters whose writers are not known to be one person: they must agree on most of the
    numbers that count (birth date and house number among them).
    """
    share = shared_numbers(a, b)
    return share is not None and share < MIN_SHARED


# Numbers each of one citizen's two letters must give for "they share none" to tell two
# matters apart when neither gives a whole date.
ALL_DIFFER_NUMBERS = 2


def numbers_all_differ(a: set[str], b: set[str], garbled_a: Iterable[PartialDate] = (),
                       garbled_b: Iterable[PartialDate] = ()) -> bool:
    """Both letters give whole dates, or each at least ``ALL_DIFFER_NUMBERS`` numbers of its
    matter, and they share neither a date nor any other number (a visit on 7/9/2025 and one on
    3/9/2025; debts from 04/2023 of 340.000.000 đồng and from 03/2023 of 288.000.000 đồng):
    for one citizen's letters on one template, two matters. A copy keeps its numbers (OCR may
    garble some, seldom all), and a re-sent or edited one adds to them.

    A date OCR garbled in its day or month (``garbled_*``, from :func:`garbled_dates`) counts as
    given, and as shared with a date that agrees on what can be read of it: 07/0b/2025 is
    another date than 3/9/2025, and may be 7/9/2025.
    """
    ga, gb = tuple(garbled_a), tuple(garbled_b)
    da = {x for x in a if x.count("/") == 2 and well_formed(x)}
    db = {y for y in b if y.count("/") == 2 and well_formed(y)}
    dated = (da or ga) and (db or gb)
    counted = (sum(map(well_formed, a)) >= ALL_DIFFER_NUMBERS
               and sum(map(well_formed, b)) >= ALL_DIFFER_NUMBERS)
    if not (dated or counted):
        return False
    if any(x == y or alike(x, y) for x in a for y in b):
        return False
    whole_a, whole_b = [_date_parts(x) for x in da], [_date_parts(y) for y in db]
    return not any(_may_be(g, d) for g in ga for d in [*whole_b, *gb]) and \
        not any(_may_be(g, d) for g in gb for d in whole_a)


PartialDate = tuple[int | None, int | None, int | None]
# dd/mm/yyyy with a look-alike-proof letter in one part ("07/0b/2025", "23/09/20t5"), or a year
# of three digits ("03/12/202").
_GARBLED_DATE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{1,2})/([0-9A-Za-z]{1,2})/([0-9A-Za-z]{3,4})(?![0-9A-Za-z])")


def garbled_dates(text: str) -> frozenset[PartialDate]:
    """Dates of ``text`` (particulars lines left out) whose day, month or year OCR garbled
    beyond reading: (day, month, year) with None for the part that cannot be read. A year
    that lost a digit (03/12/202), and a part misread into no day, month or year (2/9/2125,
    02/19/2025), are unread too."""
    out = set()
    for m in _GARBLED_DATE.finditer(_matter_plain(text)):
        parts = [g.translate(DIGITLIKE) for g in m.group(1, 2, 3)]
        unread = [i for i, x in enumerate(parts) if not _reads_as(i, x)]
        if len(unread) != 1 or not any(c.isdigit() for c in parts[unread[0]]):
            continue  # a whole date (already a number), or too little of one (or not a date)
        if unread == [2] and not _may_be_year(parts[2]):
            continue  # too little of a year to tell a date
        d, mo, y = (None if i in unread else int(x) for i, x in enumerate(parts))
        out.add((d, mo, y))
    return frozenset(out)


# A petition reports what has happened and asks for what should: it may name a date of the
# year after it was written (a deadline, an appointment), seldom one later. A date past that
# is a year OCR misread (2025 read 2028; 5 for 8 and 6 for 8 are among Tesseract's commonest
# digit confusions).
HORIZON_YEARS = 1


def horizon(*received_at: str | None) -> int | None:
    """The last year the letters received at these times (ISO) could name: ``HORIZON_YEARS``
    after the latest of them; None when none is known."""
    years = [int(r[:4]) for r in received_at if r and r[:4].isdigit()]
    return max(years) + HORIZON_YEARS if years else None


def past_horizon(numbers: set[str], garbled: Iterable[PartialDate],
                 last_year: int | None) -> tuple[set[str], frozenset[PartialDate]]:
    """``numbers`` and ``garbled`` dates (as :func:`specific_numbers` and :func:`garbled_dates`
    give them) with each date or month whose year lies past ``last_year`` (:func:`horizon`)
    moved to the garbled ones, its year unread: 11/11/2028 in a letter received in 2026 is
    11/11 of a year OCR misread."""
    out, partial = set(), set(garbled)
    for n in numbers:
        parts = n.split("/")
        if last_year is not None and is_date(n) and int(parts[-1]) > last_year:
            partial.add((int(parts[0]), int(parts[1]), None) if len(parts) == 3 else (None, int(parts[0]), None))
        else:
            out.add(n)
    return out, frozenset(partial)


def _reads_as(part: int, digits: str) -> bool:
    """Does the day (``part`` 0), month (1) or year (2) of a date read as one?"""
    if not digits.isdigit():
        return False
    if part == 2:
        return len(digits) == 4 and 1900 <= int(digits) <= 2100
    return 1 <= int(digits) <= (31, 12)[part]


def _may_be_year(part: str) -> bool:
    """Could four characters with one of them garbled (20t5, d025) or misread (2125), or three
    digits with one dropped (202), be a year 1900-2100?"""
    if len(part) == 3 and part.isdigit():
        years = (part[:i] + d + part[i:] for i in range(4) for d in "0123456789")
    elif part.isdigit():
        years = (part[:i] + d + part[i + 1:] for i in range(len(part)) for d in "0123456789")
    else:
        odd = [i for i, c in enumerate(part) if not c.isdigit()]
        if len(odd) != 1:
            return False
        years = (part[:odd[0]] + d + part[odd[0] + 1:] for d in "0123456789")
    return any(1900 <= int(y) <= 2100 for y in years)


def _date_parts(date: str) -> PartialDate:
    d, m, y = (int(p) for p in date.split("/"))
    return d, m, y


def _may_be(a: PartialDate, b: PartialDate) -> bool:
    """Could two dates, parts unread as None, be one date?"""
    return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def id_keys(keys: str | Sequence[str] | None) -> tuple[str, ...]:
    """Identity keys as stored (JSON text) or as a sequence."""
    if isinstance(keys, str):
        return _parse_keys(keys) if keys else ()
    return tuple(keys or ())


@functools.lru_cache(maxsize=8192)
def _parse_keys(keys: str) -> tuple[str, ...]:
    # A stored document is compared with many later ones: parse its keys once.
    return tuple(json.loads(keys))


def id_numbers(keys: str | Sequence[str] | None) -> frozenset[str]:
    """The CCCD/CMND numbers among identity keys (JSON text or a sequence)."""
    if isinstance(keys, str):
        return _stored_numbers(keys)
    return frozenset(k.split(":", 1)[1] for k in id_keys(keys) if k.startswith(("cccd:", "cmnd:")))


# An ID-card number in identity keys as stored (JSON text), read without parsing the JSON: a
# lookup checks the keys of up to a hundred candidates, most of them seen only once.
_STORED_ID = re.compile(r'"(?:cccd|cmnd):(\d+)"')


@functools.lru_cache(maxsize=8192)
def _stored_numbers(keys: str) -> frozenset[str]:
    return frozenset(_STORED_ID.findall(keys))


def identities_conflict(keys_a, keys_b) -> bool:
    """Both petitions give ID-card numbers and none is shared (one misread digit tolerated)."""
    a, b = id_numbers(keys_a), id_numbers(keys_b)
    if not a or not b:
        return False
    return not any(one_digit_off(x, y) for x in a for y in b)


# A long run of digits as OCR may give it: look-alike letters, spaces, dots or dashes inside.
_LONG_RUN = re.compile(r"\d[\dOoDQlIi|SsBZzG .\-]{7,}")


def digit_runs(text: str) -> tuple[str, ...]:
    """The long digit runs of ``text`` (8 digits or more once look-alike letters are read as digits)."""
    out = []
    for m in _LONG_RUN.finditer(text):
        run = re.sub(r"[ .\-]", "", m.group(0).translate(CONFUSABLE))
        digits = re.sub(r"\D", "", run)
        if len(digits) >= 8 and len(digits) >= 0.8 * len(run):
            out.append(digits)
    return tuple(out)


def identity_in_text(keys, runs: tuple[str, ...]) -> bool:
    """Is one of ``keys`` (CCCD, CMND or phone) written in a text, one digit misread allowed?

    ``runs`` are the text's :func:`digit_runs`. A number the OCR garbled is not among that
    text's own keys, yet one letter's clean number is still there to be read in the other.
    """
    for key in id_keys(keys):
        kind, value = key.split(":", 1)
        if kind == "phone":
            value = "0" + value.removeprefix("+84")
        for run in runs:
            if len(run) >= len(value) - 1 and fuzz.partial_ratio(value, run, score_cutoff=90):
                return True
    return False


def near_identity(keys_a, keys_b) -> bool:
    """Do two petitions give one identity key, one misread digit allowed?"""
    a, b = id_keys(keys_a), id_keys(keys_b)
    return bool(a and b) and any(x[:5] == y[:5] and one_digit_off(x, y) for x in a for y in b)


def shares_identity(keys_a, keys_b) -> bool:
    """Do the two petitions give a common CCCD/CMND or phone number?"""
    return not set(id_keys(keys_a)).isdisjoint(id_keys(keys_b))
