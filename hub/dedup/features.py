"""A candidate pair's comparison features: one pure function of the two letters' derived forms.

:func:`features` reads nothing from the index: each letter comes as a :class:`Side` (its
shingles weighted by the current boilerplate, passages, numbers, identity keys, noise
estimate), and the pair's :class:`PairFeatures` is what the scoring model (``model``)
turns into a match probability. Each relation is a few levels, as record linkage
describes comparisons (same / OCR-near / different / absent), so that every contribution
reads as a sentence.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from rapidfuzz.distance import Levenshtein

from edge.fingerprint.normalize import strip_diacritics
from hub.dedup.boilerplate import Weights
from hub.dedup.evidence import (
    PartialDate,
    horizon,
    id_numbers,
    identity_in_text,
    numbers_all_differ,
    past_horizon,
    shared_numbers,
)
from hub.dedup.verify import (
    MIN_AGREEING,
    Passages,
    Shingled,
    compare_passages,
    compare_raw_and_weighted,
)

# Relation levels of an identity field.
SAME, NEAR, DIFFERENT, ABSENT = "same", "near", "different", "absent"


@dataclass(frozen=True)
class Side:
    """What a letter brings to a comparison (all derived from its text and identity keys)."""

    doc_id: str
    shingled: Shingled  # boilerplate-weighted
    passages: Passages
    keys: tuple[str, ...]
    runs: tuple[str, ...]  # long digit runs (``evidence.digit_runs``)
    numbers: frozenset[str]  # numbers of the matter and the person (``evidence.specific_numbers``)
    matter_numbers: frozenset[str]  # the same without the particulars lines
    garbled_dates: frozenset[PartialDate]
    name: str  # the petitioner's name as the letter gives it (folded), "" if not found
    noise: float  # share of words that are no Vietnamese syllable (``noise.word_noise``)
    confidence_noise: float | None  # 1 - Tesseract's mean confidence, when the kiosk sent it
    reflowed: bool  # line breaks lost (a text pasted or extracted as one paragraph)
    received_at: str | None = None


@dataclass(frozen=True)
class PairFeatures:
    """Comparison features of two letters (see :func:`features`)."""

    jaccard: float  # shingle Jaccard, boilerplate discounted
    containment: float  # share of the lighter letter's shingles in the other, boilerplate discounted
    jaccard_raw: float  # the same with every shingle weighing 1
    containment_raw: float
    # Share of the lighter letter's passages found in the other, OCR errors allowed, the
    # particulars lines (name, ID, address, phone) left out: they agree whatever the matter.
    passages_matter: float
    sentence_conflicts: int  # numbers a found sentence gives otherwise, beyond one misread digit
    slips: int  # of those, the ones one misread digit explains
    agreeing: int  # the letter's own numbers the found sentences give alike
    reworded: int  # stretches of a found sentence in other words (a name, a place, a task)
    id_relation: str  # CCCD/CMND: same | near (one digit, or one's number read in the other) | different | absent
    phone_relation: str  # same | different | absent
    name_relation: str  # same | near | different | absent
    numbers_share: float | None  # share of the smaller set of matter and person numbers found in the other
    numbers_all_differ: bool  # whole dates or several numbers on both sides, none shared
    noise_max: float  # the noisier letter's estimate
    noise_min: float
    confidence_noise: float | None  # the noisier of Tesseract's readings, when both were sent
    reflowed: bool  # either letter lost its line breaks

    def as_dict(self) -> dict:
        """The features by name (for storing and fitting)."""
        return asdict(self)


def other_number(sentence_conflicts: int, slips: int, agreeing: int) -> bool:
    """A found sentence gives another number, not excused as one misread digit among the letter's
    own numbers that agree: ``verify.PassageMatch.other_matter`` read from a pair's features."""
    return sentence_conflicts > 0 or (slips > 0 and agreeing < MIN_AGREEING)


_NAME_LINE = re.compile(r"^\W*(?:toi ten la|ho va ten(?: nguoi \w+)?|ho ten)\W*([a-z ]{3,60})", re.MULTILINE)


def petitioner_name(text: str) -> str:
    """The petitioner's name as the letter gives it ("Tôi tên là: …"), folded; "" if not found."""
    m = _NAME_LINE.search(strip_diacritics(text[:4000]).casefold())
    return " ".join(m.group(1).split()[:5]) if m else ""


def _id_relation(a: Side, b: Side) -> str:
    x, y = id_numbers(a.keys), id_numbers(b.keys)
    if x and y:
        if x & y:
            return SAME
        if any(Levenshtein.distance(p, q, score_cutoff=1) <= 1 for p in x for q in y):
            return NEAR
        return DIFFERENT
    # One letter's number misread beyond recognition: the other's may still be read in it.
    if identity_in_text(a.keys, b.runs) or identity_in_text(b.keys, a.runs):
        return NEAR
    return ABSENT


def _phone_relation(a: Side, b: Side) -> str:
    x = {k for k in a.keys if k.startswith("phone:")}
    y = {k for k in b.keys if k.startswith("phone:")}
    if not x or not y:
        return ABSENT
    return SAME if x & y else DIFFERENT


def _name_relation(a: Side, b: Side) -> str:
    if not a.name or not b.name:
        return ABSENT
    if a.name == b.name:
        return SAME
    return NEAR if Levenshtein.normalized_similarity(a.name, b.name) >= NAME_NEAR else DIFFERENT


# Two readings of one name through OCR at up to 10% character error stay this alike (0-1,
# edit-based). Derived from the noise model: each reading misreads about e of the letters,
# so two readings keep about 1 - 2e of them alike, 0.8 at e = 10%; set a little below that,
# by hand, since in a short name one more misread letter moves the share by several points.
NAME_NEAR = 0.75


def features(a: Side, b: Side, boilerplate: Weights) -> PairFeatures:
    """The comparison features of letters ``a`` and ``b`` under the learned ``boilerplate``."""
    raw, s = compare_raw_and_weighted(a.shingled, b.shingled)
    last_year = horizon(a.received_at, b.received_at)
    matter = compare_passages(a.passages, b.passages, boilerplate, matter_only=True, horizon=last_year)
    mine, my_garbled = past_horizon(set(a.matter_numbers), a.garbled_dates, last_year)
    theirs, their_garbled = past_horizon(set(b.matter_numbers), b.garbled_dates, last_year)
    na = past_horizon(set(a.numbers), (), last_year)[0]
    nb = past_horizon(set(b.numbers), (), last_year)[0]
    conf = None
    if a.confidence_noise is not None and b.confidence_noise is not None:
        conf = max(a.confidence_noise, b.confidence_noise)
    return PairFeatures(
        jaccard=s.jaccard, containment=s.containment, jaccard_raw=raw.jaccard, containment_raw=raw.containment,
        passages_matter=matter.containment,
        sentence_conflicts=max(0, matter.conflicts - matter.slips) + (matter.slips > 1),
        slips=min(matter.slips, 1), agreeing=matter.agreeing, reworded=matter.reworded,
        id_relation=_id_relation(a, b), phone_relation=_phone_relation(a, b), name_relation=_name_relation(a, b),
        numbers_share=shared_numbers(na, nb),
        numbers_all_differ=numbers_all_differ(mine, theirs, my_garbled, their_garbled),
        noise_max=max(a.noise, b.noise), noise_min=min(a.noise, b.noise), confidence_noise=conf,
        reflowed=a.reflowed or b.reflowed,
    )


# A text keeps at least this many line breaks per 1,000 characters when its lines were kept
# (derived: a petition's lines are 60-100 characters, 10-16 breaks per 1,000; one paragraph
# per 1,000 is a reflowed text). Texts under ``REFLOW_MIN_CHARS`` are too short to tell (a
# product decision: a few lines, where a single break is already a tenth of the count).
REFLOW_LINES = 1.0
REFLOW_MIN_CHARS = 400


def reflowed(text: str) -> bool:
    """Has the text lost its line breaks (pasted or extracted as one paragraph)?"""
    return len(text) >= REFLOW_MIN_CHARS and text.count("\n") * 1000.0 / len(text) < REFLOW_LINES
