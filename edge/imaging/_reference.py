"""Plain NumPy twins of the Numba kernels in _kernels.py: slower, obviously correct, used by tests."""

from __future__ import annotations

import numpy as np

_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


def projection_energies(
    xs: np.ndarray, ys: np.ndarray, ws: np.ndarray, angles_deg: np.ndarray, extent: float
) -> np.ndarray:
    """Edge energy of the ink profile across lines tilted by each angle.

    Each ink point (x, y) with weight w projects onto the normal of a line tilted counter-clockwise
    by the angle: r = x*sin(a) + y*cos(a). Weights are split linearly between the two nearest unit
    bins, the profile is smoothed with a binomial kernel (sigma = 1 bin, so the score does not
    depend on where edges fall between bins), and the energy is the sum of squared differences of
    neighbouring bins (Postl's criterion): it peaks when text lines fall into as few bins as
    possible. ``extent`` must bound |r| for every point (the largest point radius).
    """
    nbins = int(2.0 * extent) + 3
    xs = xs.astype(np.float64)
    ys = ys.astype(np.float64)
    ws = ws.astype(np.float64)
    out = np.zeros(len(angles_deg), dtype=np.float64)
    for k, angle in enumerate(np.asarray(angles_deg, dtype=np.float64)):
        a = np.deg2rad(angle)
        r = xs * np.sin(a) + ys * np.cos(a) + extent
        j = r.astype(np.int64)
        f = r - j
        hist = np.bincount(j, weights=ws * (1.0 - f), minlength=nbins)
        hist += np.bincount(j + 1, weights=ws * f, minlength=nbins)
        smooth = np.convolve(hist[:nbins], _BINOMIAL, mode="full")
        out[k] = float(np.sum(np.diff(smooth, prepend=0.0) ** 2))
    return out
