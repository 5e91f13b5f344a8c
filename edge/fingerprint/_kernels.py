"""Numba kernels for MinHash (private: call edge.fingerprint.minhash)."""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _mix64(z):
    # splitmix64 finalizer: a cheap, well-distributed 64-bit permutation.
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def shingle_codes(text: np.ndarray, k: int) -> np.ndarray:
    """Pack every k-byte window of ASCII ``text`` into one integer (exact, no collisions for k <= 8)."""
    n = text.shape[0] - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    out = np.empty(n, dtype=np.uint64)
    code = np.uint64(0)
    mask = np.uint64((1 << (8 * k)) - 1) if k < 8 else np.uint64(0xFFFFFFFFFFFFFFFF)
    for j in range(k - 1):
        code = (code << np.uint64(8)) | np.uint64(text[j])
    for i in range(n):
        code = ((code << np.uint64(8)) | np.uint64(text[i + k - 1])) & mask
        out[i] = code
    return out


@njit(cache=True)
def unique_without(codes: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Sorted unique ``codes`` that are not in the sorted array ``stop``."""
    s = np.sort(codes)
    out = np.empty(s.shape[0], dtype=np.uint64)
    n = 0
    ns = stop.shape[0]
    for i in range(s.shape[0]):
        c = s[i]
        if n > 0 and out[n - 1] == c:
            continue
        lo, hi = 0, ns
        while lo < hi:
            mid = (lo + hi) >> 1
            if stop[mid] < c:
                lo = mid + 1
            else:
                hi = mid
        if lo < ns and stop[lo] == c:
            continue
        out[n] = c
        n += 1
    return out[:n]


@njit(cache=True)
def minhash(codes: np.ndarray, mult: np.ndarray, add: np.ndarray) -> np.ndarray:
    """Per permutation j, the minimum over codes of the top 32 bits of mult[j]*mix64(code)+add[j]."""
    m = mult.shape[0]
    out = np.full(m, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    for i in range(codes.shape[0]):
        base = _mix64(codes[i])
        for j in range(m):
            h = np.uint32((base * mult[j] + add[j]) >> np.uint64(32))
            if h < out[j]:
                out[j] = h
    return out


@njit(cache=True)
def minhash_winners(codes: np.ndarray, mult: np.ndarray, add: np.ndarray) -> np.ndarray:
    """Per permutation j, the index of the code giving :func:`minhash`'s value (the first on ties), -1 if none."""
    m = mult.shape[0]
    best = np.full(m, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    out = np.full(m, -1, dtype=np.int64)
    for i in range(codes.shape[0]):
        base = _mix64(codes[i])
        for j in range(m):
            h = np.uint32((base * mult[j] + add[j]) >> np.uint64(32))
            if out[j] < 0 or h < best[j]:
                best[j] = h
                out[j] = i
    return out
