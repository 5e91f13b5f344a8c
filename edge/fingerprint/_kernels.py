"""Numba kernels for MinHash (private: call edge.fingerprint.minhash)."""
from __future__ import annotations

import numpy as np
from numba import njit

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


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
    for i in range(n):
        code = np.uint64(0)
        for j in range(k):
            code = (code << np.uint64(8)) | np.uint64(text[i + j])
        out[i] = code
    return out


@njit(cache=True)
def minhash(codes: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Per seed, the minimum over codes of the top 32 bits of mix64(code ^ seed)."""
    m = seeds.shape[0]
    out = np.full(m, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    for i in range(codes.shape[0]):
        c = codes[i]
        for j in range(m):
            h = np.uint32(_mix64(c ^ seeds[j]) >> np.uint64(32))
            if h < out[j]:
                out[j] = h
    return out
