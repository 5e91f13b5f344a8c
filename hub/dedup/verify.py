"""Verification of a candidate pair on the texts themselves, boilerplate discounted.

MinHash only estimates; the hub holds both texts, so a plausible candidate is checked on
the exact shingle sets with template shingles (fixed phrases and those learned from the
index) removed. Jaccard catches copies and re-typed letters; containment catches a letter
behind a cover page, an excerpt, or pages added to an earlier petition.

Shingle overlap falls with OCR noise: at 8% character error two scans of one letter share
only about half their 5-grams, no more than two letters of one citizen about two matters
on one template. :func:`compare_passages` does not fall: it asks, passage by passage,
whether the other text holds the passage with a few characters misread, so a letter's
share found in the other reads about the same at 3% and at 8% noise.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein, Opcodes

from edge.fingerprint.boilerplate import STOP_SHINGLES
from edge.fingerprint.minhash import SHINGLE, shingles_at
from edge.fingerprint.normalize import fingerprint_pieces
from hub.dedup.boilerplate import NONE, Weights
from hub.dedup.digits import read_digits, same_number, written_date
from hub.dedup.evidence import gives_particulars, may_give_particulars


@dataclass(frozen=True)
class Similarity:
    """Exact similarity of two shingle sets, each shingle weighted (boilerplate < 1)."""

    jaccard: float
    containment: float
    common: int


@dataclass(frozen=True)
class Shingled:
    """A text's sorted distinct shingles and their boilerplate weights."""

    codes: np.ndarray
    weights: np.ndarray


def compare_raw_and_weighted(a: Shingled, b: Shingled) -> tuple[Similarity, Similarity]:
    """:func:`compare` with every shingle weighing 1, and as weighted, from one intersection."""
    if a.codes.size == 0 or b.codes.size == 0:
        return Similarity(0.0, 0.0, 0), Similarity(0.0, 0.0, 0)
    _, ia, _ = np.intersect1d(a.codes, b.codes, assume_unique=True, return_indices=True)
    n, na, nb = float(ia.size), float(a.codes.size), float(b.codes.size)
    raw = Similarity(n / (na + nb - n), n / min(na, nb), int(ia.size))
    inter = float(a.weights[ia].sum())
    wa, wb = float(a.weights.sum()), float(b.weights.sum())
    return raw, Similarity(inter / (wa + wb - inter), inter / min(wa, wb), int(ia.size))


def compare(a: Shingled, b: Shingled) -> Similarity:
    """Weighted Jaccard and containment (of the lighter set in the other) of two shingled texts."""
    if a.codes.size == 0 or b.codes.size == 0:
        return Similarity(0.0, 0.0, 0)
    _, ia, _ = np.intersect1d(a.codes, b.codes, assume_unique=True, return_indices=True)
    inter = float(a.weights[ia].sum())
    wa, wb = float(a.weights.sum()), float(b.weights.sum())
    return Similarity(inter / (wa + wb - inter), inter / min(wa, wb), int(ia.size))


# A passage ends at a line break or after a sentence mark; shorter ones say too little.
_PASSAGE = re.compile(r"[\n\f]+|(?<=[.;!?])\s+")
MIN_PASSAGE = 20  # characters of fingerprint text
# Found: the passage aligns with some stretch of the other text at this similarity (0-100,
# edit-based); two scans of one sentence at 8% character error score about 90, two
# different sentences of one language about 50-65. Hand-set between the two, not fitted.
PASSAGE_FOUND = 80


@dataclass(frozen=True)
class Passages:
    """A text cut into passages (fingerprint form), and the whole text in that form with the
    5-character shingle at each of its positions (``codes``; ``kept`` counts those that are
    not form phrases up to each position): passage ``i`` spans the shingles from
    ``starts[i]`` to ``ends[i]``, to weigh it by boilerplate."""

    texts: tuple[str, ...]
    whole: str
    codes: np.ndarray
    kept: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    particulars: np.ndarray  # passages giving the petitioner's name, birth, ID, address, phone
    # The digits of the numbers on passages that may give the particulars, their cue word
    # misread or not (``evidence.may_give_particulars``): the citizen's own house, phone, ID.
    citizen_numbers: frozenset[str] = frozenset()
    _weights: dict = field(default_factory=dict, compare=False, repr=False)

    def weights(self, boilerplate: Weights) -> np.ndarray:
        """Each passage's length times the mean boilerplate weight of its shingles (form
        phrases left out); kept for the boilerplate last asked about."""
        hit = self._weights.get(id(boilerplate))
        if hit is not None and hit[0] is boilerplate:
            return hit[1]
        lengths = np.array([len(t) for t in self.texts], dtype=np.float64)
        keep = np.diff(self.kept).astype(bool)
        w = np.concatenate(([0.0], np.cumsum(boilerplate.of(self.codes) * keep)))
        counts = self.kept[self.ends] - self.kept[self.starts]
        out = lengths * (w[self.ends] - w[self.starts]) / np.maximum(counts, 1)
        self._weights.clear()
        self._weights[id(boilerplate)] = (boilerplate, out)
        return out


def passages(text: str) -> Passages:
    """Cut ``text`` into passages for :func:`compare_passages`; those that are only form
    phrases (the national motto, "Kính gửi") are left out."""
    parts = fingerprint_pieces(text, _PASSAGE)
    whole = "".join(parts)
    codes = shingles_at(whole)
    at_stop = np.minimum(np.searchsorted(STOP_SHINGLES, codes), STOP_SHINGLES.size - 1)
    kept = np.concatenate(([0], np.cumsum(STOP_SHINGLES[at_stop] != codes)))
    texts, starts, ends, at = [], [], [], 0
    for f in parts:
        a, b = at, at + len(f) - SHINGLE + 1  # the shingles wholly inside this passage
        if len(f) >= MIN_PASSAGE and kept[b] > kept[a]:
            texts.append(f)
            starts.append(a)
            ends.append(b)
        at += len(f)
    citizen = frozenset(r[2] for t in texts if _RUN.search(t) and may_give_particulars(t) for r in _runs(t))
    return Passages(tuple(texts), whole, codes, kept, np.array(starts, dtype=np.intp),
                    np.array(ends, dtype=np.intp), np.array([gives_particulars(t) for t in texts], dtype=bool),
                    citizen)


# A single number one digit off in one sentence is taken for OCR's misreading (3 for 8, 1
# for 7) only in letters giving at least this many other numbers of their own alike (hand-set,
# not fitted).
MIN_AGREEING = 2
# A number is the letter's own, not a template's (a decree every letter on the topic cites),
# when the shingles over its digits weigh at least this much on average (boilerplate < 1;
# hand-set, not fitted, at the weight ``boilerplate.HASH_WEIGHT`` calls template text).
OWN_NUMBER_WEIGHT = 0.5


@dataclass(frozen=True)
class PassageMatch:
    """How much of the lighter text's passages the other holds (by weight, boilerplate
    discounted), and how many numbers of the passages it holds the other gives otherwise there.

    ``slips`` counts those conflicts that one misread digit explains (one digit changed,
    dropped or added: 29/09/2025 and 29/04/2025); ``agreeing`` the letter's own numbers (not
    template text) the aligned passages give alike.
    """

    containment: float
    conflicts: int
    slips: int = 0
    agreeing: int = 0
    reworded: int = 0

    @property
    def other_matter(self) -> bool:
        """Does a sentence the two letters share give another number there?

        A date or decision number one digit off is what OCR makes of a copy and also what a
        citizen writes about another visit or decision, so it counts as OCR only once, and
        only when the letters' other numbers agree (another matter gives other dates and
        decisions throughout, not one digit of one of them).
        """
        if not self.conflicts:
            return False
        return self.conflicts > self.slips or self.slips > 1 or self.agreeing < MIN_AGREEING


# A number in fingerprint form (no separators): digits, with single letters between them
# where OCR misread a digit (O for 0, l for 1, B for 8, or any other letter).
_RUN = re.compile(r"\d(?:[a-z]?\d)*")


def _runs(text: str) -> list[tuple[int, int, str, bool]]:
    """The numbers of a text in fingerprint form: where each starts and ends, its digits
    (:func:`digits.read_digits`) and whether it was read cleanly."""
    return [(m.start(), m.end(), read_digits(m.group(0)), m.group(0).isdigit()) for m in _RUN.finditer(text)]


def _opposite(ops: Opcodes, start: int, end: int, other: str, at: int) -> tuple[str, bool] | None:
    """What the other text gives where the alignment ``ops`` (with its stretch starting at
    ``at``) puts the characters ``start`` to ``end`` of this one: the number there (stretched
    to its whole run of digits, which may go on past the stretch) and whether it was read
    cleanly; None when it gives no digit there."""
    lo, hi = len(other), -1
    for op in ops:
        if op.src_end < start or op.src_start > end:
            continue
        if op.tag == "insert":
            if start < op.src_start < end:
                lo, hi = min(lo, op.dest_start), max(hi, op.dest_end)
            continue
        a, b = max(start, op.src_start), min(end, op.src_end)
        if a >= b:
            continue
        if op.tag == "equal":
            lo, hi = min(lo, op.dest_start + a - op.src_start), max(hi, op.dest_start + b - op.src_start)
        elif op.tag == "replace":
            scale = (op.dest_end - op.dest_start) / (op.src_end - op.src_start)
            lo = min(lo, op.dest_start + int((a - op.src_start) * scale))
            hi = max(hi, op.dest_start + int(round((b - op.src_start) * scale)))
    if hi <= lo:
        return None
    lo, hi = lo + at, hi + at
    # Read cleanly only if every character set against this number's digits is a digit: one
    # read as a letter there (4908 as h608) leaves the number unsure.
    clean = other[lo:hi].isdigit()
    while lo > 0 and other[lo - 1].isdigit():
        lo -= 1
    while hi < len(other) and other[hi].isdigit():
        hi += 1
    stretch = other[lo:hi].strip(string.ascii_lowercase)  # fingerprint form: digits are what is left
    if not stretch:
        return None
    return (stretch if clean else read_digits(stretch)), clean


def _beyond(n: str, horizon: int | None) -> bool:
    """Is ``n`` (digits in fingerprint form) a date or month written in full whose year lies
    past ``horizon``, the last year a letter could mention: a year OCR misread (2025 read
    2028), since a petition reports what has happened."""
    return horizon is not None and written_date(n) and int(n[-4:]) > horizon


# The letter's own date line ("Hà Nội, ngày 3 tháng 1 năm 2026"): a re-sent copy has another.
_DATE_LINE = re.compile(r"^\w{0,30}ngay\w{0,4}thang\w{0,4}nam\w{0,6}$")
# The same with its words misread ("hanoiugay5thang9nam2025", "ngay28than6nam025").
_DATE_LINE_READ = re.compile(r"^[a-z]{0,30}\d{1,2}([a-z]{3,6})\d{1,2}([a-z]{2,4})\d[0-9a-z]{1,5}$")


def _date_line(passage: str) -> bool:
    """Is a passage (in fingerprint form) the letter's date line, its words read with a slip?"""
    if _DATE_LINE.match(passage):
        return True
    m = _DATE_LINE_READ.match(passage)
    return m is not None and (Levenshtein.distance(m.group(1), "thang", score_cutoff=1) <= 1
                              and Levenshtein.distance(m.group(2), "nam", score_cutoff=1) <= 1)


def compare_passages(a: Passages, b: Passages, boilerplate: Weights = NONE, *,
                     matter_only: bool = False, need: float = 0.0, horizon: int | None = None) -> PassageMatch:
    """Find the lighter text's passages in the other, OCR errors allowed; where one is found,
    compare the numbers of the two aligned stretches. With ``matter_only`` the passages giving
    the petitioner's particulars are left out (for two letters of one citizen they agree
    whatever the matter). With ``need``, the search stops as soon as that share can no longer
    be found (the containment returned is then only what was found so far).

    A passage found with a number of its own where the other letter gives another number (a
    visit on 02/09/2025, not 17/09/2025; decision 474, not 512) is a conflict: the same
    sentence about another instance. The two stretches are aligned character by character,
    so each number is compared with what the other gives in its place, not with a number
    of the sentence before. A number read in only one of the two is not a conflict: OCR
    garbles figures, and a re-sent letter adds a paragraph with its own dates. Nor is a date
    whose year lies past ``horizon`` (see :func:`evidence.horizon`): OCR misread that year.
    """
    wa, wb = a.weights(boilerplate), b.weights(boilerplate)
    if matter_only:
        wa, wb = np.where(a.particulars, 0.0, wa), np.where(b.particulars, 0.0, wb)
    if wa.sum() > wb.sum():
        a, b, wa = b, a, wb
    if not wa.sum() or not b.texts:
        return PassageMatch(0.0, 0)
    total = float(wa.sum())
    found, missed, conflicts, slips, reworded = 0.0, 0.0, 0, 0, 0
    alike: dict[str, int] = {}  # numbers given alike: where in ``a.whole`` each was read
    for i, (text, w) in enumerate(zip(a.texts, wa.tolist(), strict=True)):
        if not w:
            continue
        hit = fuzz.partial_ratio_alignment(text, b.whole, score_cutoff=PASSAGE_FOUND)
        if hit is None:
            missed += w
            if missed > (1.0 - need) * total:
                break
            continue
        found += w
        if _date_line(text):
            continue
        # Other words may be longer or shorter than the passage's: aligned with a margin, they
        # are not cut at the stretch's ends.
        lo, hi = max(0, hit.dest_start - REWORDED_MARGIN), hit.dest_end + REWORDED_MARGIN
        reworded += _reworded(Levenshtein.opcodes(text, b.whole[lo:hi]), text, b.whole[lo:hi])
        runs = [r for r in _runs(text) if len(r[2]) >= 3]
        if not any(clean for *_, clean in runs):
            continue
        # Numbers are set against the found stretch alone: with the margin, a tie in the
        # alignment may set a number's last digit against the next sentence.
        ops = Levenshtein.opcodes(text, b.whole[hit.dest_start:hit.dest_end])
        for start, end, x, clean in runs:
            seen = _opposite(ops, start, end, b.whole, hit.dest_start)
            if seen is None:
                continue  # the other gives no number there (OCR garbled it, or the wording differs)
            y, also_clean = seen
            if x == y:
                alike.setdefault(x, int(a.starts[i]) + start)
            elif clean and also_clean and not same_number(x, {y}) and not _beyond(x, horizon) \
                    and not _beyond(y, horizon):
                # Only numbers read cleanly on both sides can conflict; a misread one may be either.
                conflicts += 1
                slips += Levenshtein.distance(x, y, score_cutoff=1) == 1
    # The citizen's own numbers (house, phone, ID) agree in every letter of theirs: given on
    # what may be a particulars line of either letter (its cue word misread, "diachhi" for
    # "địa chỉ", the line is taken for the matter), they do not vouch for the matter.
    citizen = a.citizen_numbers | b.citizen_numbers
    agreeing = sum(1 for x, at in alike.items() if x not in citizen and _own_number(a, at, boilerplate))
    return PassageMatch(found / total, conflicts, slips, agreeing, reworded)


# A stretch of a found passage the other gives in other words (a name, a place, a task:
# "quán bia Thành Đạt" for "quán karaoke Hải Đăng") is at least this long on both sides
# (hand-set, not fitted: about two words) ...
REWORDED_CHARS = 10
# ... and this unlike (0-1, edit-based). Derived from the noise model: at a character error
# rate e ≤ 10% a misread stretch keeps about 1 - 2e of its characters in place, far above
# 0.4, even where errors cluster; two different words of ten letters share about a third.
REWORDED_SIMILARITY = 0.4
REWORDED_MARGIN = 16  # characters of the other text either side of the stretch a passage was found at
REWORDED_EDGE = 3  # characters at either end of a passage where the alignment meets the neighbours


def _reworded(ops: Opcodes, text: str, other: str) -> int:
    """How many stretches inside a passage aligned with the other text read as other words:
    runs of edits (joined across fewer than three equal characters) of ``REWORDED_CHARS`` or
    more on both sides and unlike. Runs at the passage's ends are left out: there the
    alignment meets the other's neighbouring sentences."""
    count, block = 0, None
    for op in [*ops, None]:
        if op is None or (op.tag == "equal" and op.src_end - op.src_start >= 3):
            if block and block[0] >= REWORDED_EDGE and block[1] <= len(text) - REWORDED_EDGE \
                    and min(block[1] - block[0], block[3] - block[2]) >= REWORDED_CHARS \
                    and Levenshtein.normalized_similarity(text[block[0]:block[1]],
                                                          other[block[2]:block[3]]) < REWORDED_SIMILARITY:
                count += 1
            block = None
        elif op.tag != "equal" or block is not None:
            block = [op.src_start, op.src_end, op.dest_start, op.dest_end] if block is None else \
                [block[0], op.src_end, block[2], op.dest_end]
    return count


def _own_number(p: Passages, at: int, boilerplate: Weights) -> bool:
    """Is the number read at ``at`` in ``p.whole`` the letter's own, not template text? Judged
    by the boilerplate weight of the shingles overlapping its digits."""
    end = at
    while end < len(p.whole) and p.whole[end].isdigit():
        end += 1
    codes = p.codes[max(0, at - SHINGLE + 1):min(end, p.codes.size)]
    return not codes.size or float(boilerplate.of(codes).mean()) >= OWN_NUMBER_WEIGHT
