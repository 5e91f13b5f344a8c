"""MinHash fingerprints of normalized text (character 5-gram shingles, 128 permutations).

Version 2: text folded by ``normalize.fingerprint_text`` (NFC, casefolded, no diacritics,
no whitespace or punctuation, digits kept: numbers tell matters apart); 5-byte shingles
packed exactly into integers; shingles lying wholly inside the standard petition phrases
of ``boilerplate.PHRASES`` dropped; each remaining distinct shingle hashed once with
splitmix64 and spread over 128 multiply-add permutations (odd multipliers, fixed seed);
top 32 bits kept. ``shingle_count`` counts the distinct shingles hashed. Changing any of
these makes a new version (version 1 hashed every shingle, boilerplate included, with
128 splitmix64 rounds).
"""
from __future__ import annotations

import hashlib

import numpy as np

from edge.fingerprint import _kernels
from edge.fingerprint.boilerplate import STOP_SHINGLES
from edge.fingerprint.normalize import fingerprint_text
from edge.wire import Fingerprint

FINGERPRINT_VERSION = 2
NUM_PERM = 128
SHINGLE = 5
_GEN = np.random.Generator(np.random.PCG64(20260102))
MULT = (_GEN.integers(0, 2**63 - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64) << np.uint64(1)) | np.uint64(1)
ADD = _GEN.integers(0, 2**63 - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
EMPTY = (0xFFFFFFFF,) * NUM_PERM


def _as_bytes(folded: str) -> np.ndarray:
    return np.frombuffer(folded.encode("ascii"), dtype=np.uint8)


def shingles(text: str) -> np.ndarray:
    """Sorted distinct packed 5-character shingles of ``text`` that are not boilerplate."""
    codes = _kernels.shingle_codes(_as_bytes(fingerprint_text(text)), SHINGLE)
    return _kernels.unique_without(codes, STOP_SHINGLES)


def shingles_of_fold(folded: str) -> np.ndarray:
    """:func:`shingles` of a text from its search form (``normalize.fold``), as the hub stores it.

    The fingerprint form is the search form without its spaces, so the hub needs no second
    pass over the original text.
    """
    codes = _kernels.shingle_codes(_as_bytes(folded.replace(" ", "")), SHINGLE)
    return _kernels.unique_without(codes, STOP_SHINGLES)


def shingles_at(fingerprint_form: str) -> np.ndarray:
    """The packed shingle at every position of a text already in fingerprint form (in order,
    repeats and form phrases kept)."""
    return _kernels.shingle_codes(_as_bytes(fingerprint_form), SHINGLE)


def shingles_reference(text: str) -> np.ndarray:
    """Plain NumPy/Python version of :func:`shingles`, the reference the kernels are tested against."""
    b = fingerprint_text(text).encode("ascii")
    codes = np.array([int.from_bytes(b[i:i + SHINGLE], "big") for i in range(len(b) - SHINGLE + 1)],
                     dtype=np.uint64)
    codes = np.unique(codes)
    return codes[~np.isin(codes, STOP_SHINGLES)]


def _hashes_reference(codes: np.ndarray) -> np.ndarray:
    """Every permutation's 32-bit hash of every code (NUM_PERM × len(codes)), in plain NumPy."""
    with np.errstate(over="ignore"):
        z = codes.astype(np.uint64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        h = z[None, :] * MULT[:, None] + ADD[:, None]
    return (h >> np.uint64(32)).astype(np.uint32)


def minhash_reference(codes: np.ndarray) -> np.ndarray:
    """Plain NumPy MinHash, the reference the Numba kernel is tested against."""
    if codes.size == 0:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    return _hashes_reference(codes).min(axis=1)


def winners(codes: np.ndarray) -> np.ndarray:
    """For each signature position, the index in ``codes`` of the shingle that gives its value (-1: no text).

    The hub uses it to tell which positions of a signature were won by template text.
    """
    return _kernels.minhash_winners(codes, MULT, ADD)


def winners_reference(codes: np.ndarray) -> np.ndarray:
    """Plain NumPy version of :func:`winners`, the reference the kernel is tested against."""
    if codes.size == 0:
        return np.full(NUM_PERM, -1, dtype=np.int64)
    return _hashes_reference(codes).argmin(axis=1).astype(np.int64)


def signature_of(codes: np.ndarray) -> np.ndarray:
    """MinHash signature (uint32 × NUM_PERM) of distinct shingle codes."""
    return _kernels.minhash(codes, MULT, ADD)


def fingerprint(text: str) -> Fingerprint:
    """Fingerprint of a document's text, as sent on the wire and stored at the hub."""
    folded = fingerprint_text(text)
    codes = _kernels.unique_without(_kernels.shingle_codes(_as_bytes(folded), SHINGLE), STOP_SHINGLES)
    mh = _kernels.minhash(codes, MULT, ADD)
    return Fingerprint(
        version=FINGERPRINT_VERSION,
        minhash=tuple(mh.tolist()),
        text_sha256=hashlib.sha256(folded.encode("ascii")).hexdigest(),
        shingle_count=int(codes.size),
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
