"""Numba kernels of the imaging stage; private, called only through the checked public functions."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Global arrays are frozen into the compiled kernel as constants.
_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


@njit(cache=True, nogil=True)
def projection_energies(
    xs: np.ndarray, ys: np.ndarray, ws: np.ndarray, angles_deg: np.ndarray, extent: float
) -> np.ndarray:
    """Edge energy of the ink profile across lines tilted by each angle (maths in _reference)."""
    n = xs.shape[0]
    out = np.zeros(angles_deg.shape[0], dtype=np.float64)
    nbins = int(2.0 * extent) + 3
    hist = np.zeros(nbins, dtype=np.float64)
    for k in range(angles_deg.shape[0]):
        a = angles_deg[k] * (math.pi / 180.0)
        s = math.sin(a)
        c = math.cos(a)
        hist[:] = 0.0
        for i in range(n):
            r = xs[i] * s + ys[i] * c + extent
            j = int(r)
            f = r - j
            w = ws[i]
            hist[j] += w * (1.0 - f)
            hist[j + 1] += w * f
        # Binomial [1 4 6 4 1]/16 smoothing, then squared neighbour differences.
        e = 0.0
        prev = 0.0
        for j in range(nbins + 4):
            v = 0.0
            for t in range(5):
                q = j - 4 + t
                if 0 <= q < nbins:
                    v += _BINOMIAL[t] * hist[q]
            d = v - prev
            e += d * d
            prev = v
        out[k] = e
    return out
