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


def gather_ink(
    small: np.ndarray, mask: np.ndarray, paper: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ink points of the masked pixels darker than ``paper``, row-major order.

    Coordinates are relative to the image centre and spread inside their pixel square by a fixed
    low-discrepancy (R2) jitter: without it, near 0 and 45 degrees whole pixel rows land on the
    same sub-bin phase and the profile energy aliases. The weight is the darkness below paper.
    """
    h, w = small.shape
    sel = mask.astype(bool) & (small.astype(np.float64) < paper)
    ys, xs = np.nonzero(sel)
    k = np.arange(xs.size, dtype=np.float64)
    jx = np.mod(k * 0.7548776662466927, 1.0)
    jy = np.mod(k * 0.5698402909980532, 1.0)
    out_x = (xs - (w - 1) / 2.0 + jx - 0.5).astype(np.float32)
    out_y = (ys - (h - 1) / 2.0 + jy - 0.5).astype(np.float32)
    out_w = (paper - small[ys, xs].astype(np.float64)).astype(np.float32)
    return out_x, out_y, out_w


def sauvola(gray: np.ndarray, radius: int, k: float, dynamic: float) -> np.ndarray:
    """Sauvola binarization from integral images: ink (0) where gray <= m * (1 + k (s/R - 1)).

    m and s are the mean and standard deviation over the (2r+1)^2 window clipped to the image.
    """
    h, w = gray.shape
    g = gray.astype(np.float64)
    ii = np.zeros((h + 1, w + 1))
    iq = np.zeros((h + 1, w + 1))
    ii[1:, 1:] = g.cumsum(0).cumsum(1)
    iq[1:, 1:] = (g * g).cumsum(0).cumsum(1)
    y0 = np.clip(np.arange(h) - radius, 0, h)
    y1 = np.clip(np.arange(h) + radius + 1, 0, h)
    x0 = np.clip(np.arange(w) - radius, 0, w)
    x1 = np.clip(np.arange(w) + radius + 1, 0, w)

    def box(table: np.ndarray) -> np.ndarray:
        return (table[y1][:, x1] - table[y0][:, x1] - table[y1][:, x0] + table[y0][:, x0])

    n = np.outer(y1 - y0, x1 - x0).astype(np.float64)
    m = box(ii) / n
    var = box(iq) / n - m * m
    sd = np.sqrt(np.where(var > 0.0, var, 0.0))
    t = m * (1.0 + k * (sd / dynamic - 1.0))
    return np.where(g <= t, 0, 255).astype(np.uint8)
