"""MinHash fingerprints of normalized text (character 5-gram shingles, 128 permutations).

Version 1: text folded by ``normalize.fingerprint_text`` (NFC, tone placement unified,
casefolded, no diacritics, no whitespace, digits kept: numbers tell matters apart),
5-byte shingles packed exactly into integers, 128 splitmix64 permutations seeded from
a fixed generator, top 32 bits kept. Changing any of these makes a new version.
"""
from __future__ import annotations

import hashlib

import numpy as np

from edge.fingerprint import _kernels
from edge.fingerprint.normalize import fingerprint_text
from edge.wire import Fingerprint

FINGERPRINT_VERSION = 1
NUM_PERM = 128
SHINGLE = 5
SEEDS = np.random.Generator(np.random.PCG64(20260101)).integers(
    0, 2**63 - 1, size=NUM_PERM, dtype=np.int64
).astype(np.uint64)
EMPTY = (0xFFFFFFFF,) * NUM_PERM


def _as_bytes(folded: str) -> np.ndarray:
    return np.frombuffer(folded.encode("ascii"), dtype=np.uint8)


def shingles(text: str) -> np.ndarray:
    """Packed 5-character shingles of the fingerprint form of ``text`` (may repeat)."""
    return _kernels.shingle_codes(_as_bytes(fingerprint_text(text)), SHINGLE)


def minhash_reference(codes: np.ndarray) -> np.ndarray:
    """Plain NumPy MinHash, the reference the Numba kernel is tested against."""
    if codes.size == 0:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    with np.errstate(over="ignore"):
        z = codes[None, :] ^ SEEDS[:, None]
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(32)).astype(np.uint32).min(axis=1)


def fingerprint(text: str) -> Fingerprint:
    """Fingerprint of a document's text, as sent on the wire and stored at the hub."""
    folded = fingerprint_text(text)
    codes = _kernels.shingle_codes(_as_bytes(folded), SHINGLE)
    mh = _kernels.minhash(codes, SEEDS)
    return Fingerprint(
        version=FINGERPRINT_VERSION,
        minhash=tuple(int(x) for x in mh),
        text_sha256=hashlib.sha256(folded.encode("ascii")).hexdigest(),
        shingle_count=int(np.unique(codes).size),
    )


def jaccard(a: tuple[int, ...] | np.ndarray, b: tuple[int, ...] | np.ndarray) -> float:
    """Estimated Jaccard similarity of two MinHash signatures (0 when either text was empty)."""
    x, y = np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)
    if x.shape != y.shape:
        raise ValueError("signatures of different length")
    valid = (x != 0xFFFFFFFF) | (y != 0xFFFFFFFF)
    if not valid.any():
        return 0.0
    return float(np.mean(x[valid] == y[valid]))
