"""Verification of a candidate pair on the texts themselves, boilerplate discounted.

MinHash only estimates; the hub holds both texts, so a plausible candidate is checked on
the exact shingle sets with template shingles (fixed phrases and those learned from the
index) removed. Jaccard catches copies and re-typed letters; containment catches a letter
behind a cover page, an excerpt, or pages added to an earlier petition.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edge.fingerprint.minhash import shingles
from hub.dedup.boilerplate import NONE, Weights

_EMPTY = np.uint32(0xFFFFFFFF)


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


def estimate(a: np.ndarray, b: np.ndarray, size_a: int, size_b: int) -> tuple[float, float]:
    """Estimated (Jaccard, containment of the smaller in the larger) from two signatures."""
    valid = (a != _EMPTY) | (b != _EMPTY)
    if not valid.any():
        return 0.0, 0.0
    j = float(np.mean(a[valid] == b[valid]))
    small = max(1, min(size_a, size_b))
    inter = j * (size_a + size_b) / (1.0 + j)
    return j, min(1.0, inter / small)


def specific_shingles(text: str, boilerplate: Weights = NONE) -> Shingled:
    """Distinct shingles of ``text`` (form phrases left out) weighted by learned boilerplate.

    The petitioner's particulars stay in: they are what sets apart two neighbours' letters
    written on one template (a citizen's other matters are told apart by their numbers).
    """
    codes = shingles(text)
    return Shingled(codes, boilerplate.of(codes))


def compare(a: Shingled, b: Shingled) -> Similarity:
    """Weighted Jaccard and containment (of the lighter set in the other) of two shingled texts."""
    if a.codes.size == 0 or b.codes.size == 0:
        return Similarity(0.0, 0.0, 0)
    _, ia, _ = np.intersect1d(a.codes, b.codes, assume_unique=True, return_indices=True)
    inter = float(a.weights[ia].sum())
    wa, wb = float(a.weights.sum()), float(b.weights.sum())
    return Similarity(inter / (wa + wb - inter), inter / min(wa, wb), int(ia.size))
