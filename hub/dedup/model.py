"""One scoring model: a pair's features (``features``) to a match probability, with its reasons.

A logistic regression fitted from labelled pairs (``fit``): the log-odds of "same matter"
are the sum of one contribution per encoded feature, so why a pair scored as it did is a
short list a person can read (``explain``). Scoring is a dot product over the weights in
``data/model.json`` (versioned, with how they were fitted); scikit-learn is needed only to fit.

The hard constraint stays a level with m≈0: two letters giving cleanly read, different
ID-card numbers are never the same matter, whatever the text says.
"""
from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hub.dedup.features import ABSENT, DIFFERENT, NEAR, SAME, PairFeatures, other_number

MODEL_FILE = Path(__file__).with_name("data") / "model.json"


def _n(x: float | None) -> float:
    return 0.0 if x is None else float(x)


# The encoded terms of the model, by name: what each contributes is its weight times this.
# The weights are fitted (``python -m hub dedup fit``); the encoding is chosen, not fitted:
# noise shares are given in tenths (a unit, so that weights read alike), and counts are capped
# (conflicts and stretches in other words at 3, agreeing numbers at 4) so that one letter with
# many numbers or sentences does not outweigh the text: beyond a few, more says nothing new.
TERMS: dict[str, Callable[[PairFeatures], float]] = {
    "jaccard": lambda f: f.jaccard,
    "containment": lambda f: f.containment,
    "jaccard_raw": lambda f: f.jaccard_raw,
    "containment_raw": lambda f: f.containment_raw,
    "passages_matter": lambda f: f.passages_matter,
    # Noise lowers what a copy shares: the same overlap says more in a noisy letter.
    "jaccard_x_noise": lambda f: f.jaccard * f.noise_max * 10.0,
    "containment_x_noise": lambda f: f.containment * f.noise_max * 10.0,
    "noise": lambda f: f.noise_max * 10.0,
    "noise_gap": lambda f: (f.noise_max - f.noise_min) * 10.0,
    "confidence_noise": lambda f: _n(f.confidence_noise) * 10.0,
    "sentence_conflicts": lambda f: min(f.sentence_conflicts, 3),
    "slip": lambda f: float(f.slips),
    "other_number": lambda f: float(other_number(f.sentence_conflicts, f.slips, f.agreeing)),
    "agreeing": lambda f: min(f.agreeing, 4),
    "reworded": lambda f: min(f.reworded, 3),
    "id_same": lambda f: float(f.id_relation == SAME),
    "id_near": lambda f: float(f.id_relation == NEAR),
    "phone_same": lambda f: float(f.phone_relation == SAME),
    "phone_different": lambda f: float(f.phone_relation == DIFFERENT),
    "name_same": lambda f: float(f.name_relation == SAME),
    "name_near": lambda f: float(f.name_relation == NEAR),
    "name_different": lambda f: float(f.name_relation == DIFFERENT),
    "numbers_share": lambda f: _n(f.numbers_share),
    "numbers_none": lambda f: float(f.numbers_share is None),
    "numbers_all_differ": lambda f: float(f.numbers_all_differ),
    "reflowed": lambda f: float(f.reflowed),
}


# Levels that may be hard constraints: where the fitted pairs show m≈0 (``fit.HARD_M``), the
# level alone says "another matter" whatever the text shares (Fellegi-Sunter weight -inf).
LEVELS: dict[str, Callable[[PairFeatures], bool]] = {
    "reworded_1": lambda f: f.reworded >= 1,
    "reworded_2": lambda f: f.reworded >= 2,
    "other_number": lambda f: other_number(f.sentence_conflicts, f.slips, f.agreeing),
    "numbers_all_differ": lambda f: f.numbers_all_differ,
    "phone_different": lambda f: f.phone_relation == DIFFERENT,
    "name_different": lambda f: f.name_relation == DIFFERENT,
}


def encode(f: PairFeatures) -> list[float]:
    """The model's terms of a pair, in ``TERMS`` order."""
    return [fn(f) for fn in TERMS.values()]


@dataclass(frozen=True)
class Weights:
    """A fitted model: one weight per term, an intercept, the decision threshold, provenance."""

    version: str
    weights: dict[str, float]
    intercept: float
    threshold: float  # probability at or above which a pair is the same matter
    provenance: dict
    hard: tuple[str, ...] = ()  # levels of ``LEVELS`` fitted as hard constraints (m≈0)


@dataclass(frozen=True)
class Score:
    """A pair's match probability and each term's contribution to its log-odds."""

    probability: float
    contributions: dict[str, float]
    version: str
    hard_no: bool = False  # the hard constraint decided (other ID-card numbers)


def load(path: Path | str | None = None) -> Weights:
    """The fitted model in ``path`` (default ``data/model.json``)."""
    return _load(str(path or MODEL_FILE))


# Before any fit (a fresh checkout fitting its first model): every term weighs nothing.
UNFITTED = Weights("unfitted", {}, 0.0, 0.5, {})


@functools.cache
def _load(path: str) -> Weights:
    if not Path(path).exists():
        return UNFITTED
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Weights(data["version"], dict(data["weights"]), float(data["intercept"]), float(data["threshold"]),
                   dict(data.get("provenance", {})), tuple(data.get("hard", {})))


def score(f: PairFeatures, model: Weights | None = None) -> Score:
    """The match probability of a pair with features ``f``."""
    m = model or load()
    if f.id_relation == DIFFERENT:
        return Score(0.0, {"id_different": -math.inf}, m.version, hard_no=True)
    hard = [name for name in m.hard if LEVELS[name](f)]
    if hard:
        return Score(0.0, {name: -math.inf for name in hard}, m.version, hard_no=True)
    contributions = {}
    for name, fn in TERMS.items():
        w = m.weights.get(name, 0.0)
        x = fn(f)
        if w and x:
            contributions[name] = w * x
    logit = m.intercept + sum(contributions.values())
    p = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, logit))))
    return Score(p, contributions, m.version)


def is_match(s: Score, model: Weights | None = None) -> bool:
    """Is a scored pair the same matter (probability at or above the fitted threshold)?"""
    return not s.hard_no and s.probability >= (model or load()).threshold


SAME_MATTER, SAME_CITIZEN, ANOTHER_MATTER = "same matter", "same citizen", "another matter"


def verdict(s: Score, f: PairFeatures, model: Weights | None = None) -> str:
    """What a scored pair is: the same matter (at or above the fitted threshold), else the same
    citizen (one ID-card number, one misread digit allowed, or one phone number), else another matter."""
    if is_match(s, model):
        return SAME_MATTER
    if f.id_relation in (SAME, NEAR) or f.phone_relation == SAME:
        return SAME_CITIZEN
    return ANOTHER_MATTER


__all__ = ["ANOTHER_MATTER", "SAME_CITIZEN", "SAME_MATTER", "verdict", "ABSENT", "LEVELS", "MODEL_FILE", "NEAR", "SAME", "TERMS", "Score", "Weights", "encode", "is_match", "load",
           "score"]
