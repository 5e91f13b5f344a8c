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


@njit(cache=True, nogil=True)
def gather_ink(small: np.ndarray, mask: np.ndarray, paper: float):
    """Points (centred, jittered inside their pixel) and darkness weights of masked ink pixels."""
    h, w = small.shape
    n = 0
    for y in range(h):
        for x in range(w):
            if mask[y, x] and small[y, x] < paper:
                n += 1
    xs = np.empty(n, np.float32)
    ys = np.empty(n, np.float32)
    ws = np.empty(n, np.float32)
    cx = (w - 1) / 2.0
    cy = (h - 1) / 2.0
    k = 0
    for y in range(h):
        for x in range(w):
            v = small[y, x]
            if mask[y, x] and v < paper:
                # Fixed low-discrepancy jitter (R2 sequence), identical to the reference.
                jx = (k * 0.7548776662466927) % 1.0
                jy = (k * 0.5698402909980532) % 1.0
                xs[k] = x - cx + jx - 0.5
                ys[k] = y - cy + jy - 0.5
                ws[k] = paper - v
                k += 1
    return xs, ys, ws


@njit(cache=True, nogil=True)
def sauvola(gray: np.ndarray, radius: int, k: float, dynamic: float) -> np.ndarray:
    """Sauvola threshold over a (2r+1)^2 window with sliding column sums (maths in _reference)."""
    h, w = gray.shape
    out = np.empty((h, w), np.uint8)
    colsum = np.zeros(w, np.float64)
    colsq = np.zeros(w, np.float64)
    for y in range(min(radius, h)):
        for x in range(w):
            v = float(gray[y, x])
            colsum[x] += v
            colsq[x] += v * v
    for y in range(h):
        ya = y + radius
        if ya < h:
            for x in range(w):
                v = float(gray[ya, x])
                colsum[x] += v
                colsq[x] += v * v
        yr = y - radius - 1
        if yr >= 0:
            for x in range(w):
                v = float(gray[yr, x])
                colsum[x] -= v
                colsq[x] -= v * v
        rows = min(h - 1, y + radius) - max(0, y - radius) + 1
        s = 0.0
        q = 0.0
        for x in range(min(radius, w)):
            s += colsum[x]
            q += colsq[x]
        for x in range(w):
            xa = x + radius
            if xa < w:
                s += colsum[xa]
                q += colsq[xa]
            xr = x - radius - 1
            if xr >= 0:
                s -= colsum[xr]
                q -= colsq[xr]
            cols = min(w - 1, x + radius) - max(0, x - radius) + 1
            n = float(rows * cols)
            m = s / n
            var = q / n - m * m
            sd = math.sqrt(var) if var > 0.0 else 0.0
            t = m * (1.0 + k * (sd / dynamic - 1.0))
            out[y, x] = 0 if float(gray[y, x]) <= t else 255
    return out
