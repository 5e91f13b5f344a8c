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
    small: np.ndarray, mask: np.ndarray, paper: float, min_weight: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ink points of the masked pixels darker than ``paper - min_weight``, row-major order.

    Coordinates are relative to the image centre and spread inside their pixel square by a fixed
    low-discrepancy (R2) jitter: without it, near 0 and 45 degrees whole pixel rows land on the
    same sub-bin phase and the profile energy aliases. The weight is the darkness below paper.
    """
    h, w = small.shape
    sel = mask.astype(bool) & (paper - small.astype(np.float64) > min_weight)
    ys, xs = np.nonzero(sel)
    k = np.arange(xs.size, dtype=np.float64)
    jx = np.mod(k * 0.7548776662466927, 1.0)
    jy = np.mod(k * 0.5698402909980532, 1.0)
    out_x = (xs - (w - 1) / 2.0 + jx - 0.5).astype(np.float32)
    out_y = (ys - (h - 1) / 2.0 + jy - 0.5).astype(np.float32)
    out_w = (paper - small[ys, xs].astype(np.float64)).astype(np.float32)
    return out_x, out_y, out_w


def histogram(img: np.ndarray) -> np.ndarray:
    """Counts of each grey level 0..255 of a uint8 image."""
    return np.bincount(img.ravel(), minlength=256).astype(np.int64)


def select_labels(labels: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """255 where the pixel's label is kept (keep[label] != 0), else 0."""
    return np.where(keep.astype(bool)[labels], 255, 0).astype(np.uint8)


def component_stats(labels: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per label 1..n-1: [left, top, width, height, area] and the (x, y) centroid, like
    ``cv2.connectedComponentsWithStats`` (row 0, the background, is left zero)."""
    ys, xs = np.nonzero(labels > 0)
    lab = labels[ys, xs]
    area = np.bincount(lab, minlength=n)
    x0 = np.full(n, labels.shape[1])
    y0 = np.full(n, labels.shape[0])
    x1 = np.full(n, -1)
    y1 = np.full(n, -1)
    np.minimum.at(x0, lab, xs)
    np.minimum.at(y0, lab, ys)
    np.maximum.at(x1, lab, xs)
    np.maximum.at(y1, lab, ys)
    stats = np.zeros((n, 5), np.int32)
    cents = np.zeros((n, 2))
    seen = area > 0
    seen[0] = False
    stats[seen] = np.stack([x0, y0, x1 - x0 + 1, y1 - y0 + 1, area], axis=1)[seen]
    cents[seen, 0] = np.bincount(lab, weights=xs, minlength=n)[seen] / area[seen]
    cents[seen, 1] = np.bincount(lab, weights=ys, minlength=n)[seen] / area[seen]
    return stats, cents


def sauvola(gray: np.ndarray, radius: int, k: float, dynamic: float) -> np.ndarray:
    """Sauvola binarization: ink (0) where gray <= m * (1 + k (s/R - 1)), else paper (255).

    The page is cut into 2x2 blocks (a short last row or column is a smaller block); m and s are
    the mean and standard deviation of all pixels in the (2r+1)^2 blocks around a pixel's block,
    clipped to the image, from exact integer sums. One threshold serves the four pixels of a
    block (a window off-centre by half a pixel at most): a quarter of the square roots and
    divisions of per-pixel Sauvola. Pixels are integers, so ``gray <= t`` is ``gray <= floor(t)``.
    """
    h, w = gray.shape
    bh, bw = (h + 1) // 2, (w + 1) // 2
    g = np.zeros((2 * bh, 2 * bw), np.int64)
    g[:h, :w] = gray
    valid = np.zeros((2 * bh, 2 * bw), np.int64)
    valid[:h, :w] = 1
    s1 = g.reshape(bh, 2, bw, 2).sum(axis=(1, 3))
    s2 = (g * g).reshape(bh, 2, bw, 2).sum(axis=(1, 3))
    cnt = valid.reshape(bh, 2, bw, 2).sum(axis=(1, 3))

    def box(blocks: np.ndarray) -> np.ndarray:
        ii = np.zeros((bh + 1, bw + 1), np.int64)
        ii[1:, 1:] = blocks.cumsum(0).cumsum(1)
        y0 = np.clip(np.arange(bh) - radius, 0, bh)
        y1 = np.clip(np.arange(bh) + radius + 1, 0, bh)
        x0 = np.clip(np.arange(bw) - radius, 0, bw)
        x1 = np.clip(np.arange(bw) + radius + 1, 0, bw)
        return ii[y1][:, x1] - ii[y0][:, x1] - ii[y1][:, x0] + ii[y0][:, x0]

    inv = 1.0 / box(cnt).astype(np.float64)
    m = box(s1) * inv
    var = box(s2) * inv - m * m
    sd = np.sqrt(np.where(var > 0.0, var, 0.0))
    # The same rounding steps as the kernel: m * (1 + k (s/R - 1)) written as m * (b + c s).
    t = np.floor(m * ((1.0 - k) + (k / dynamic) * sd))
    full = np.repeat(np.repeat(t, 2, axis=0), 2, axis=1)[:h, :w]
    return np.where(gray.astype(np.float64) <= full, 0, 255).astype(np.uint8)


def png_unfilter(data: np.ndarray, height: int, width: int) -> tuple[np.ndarray, bool]:
    """Undo PNG row filters (8-bit, one channel) as the PNG specification words them, pixel by pixel."""
    rows = data.reshape(height, width + 1).astype(np.int64)
    out = np.zeros((height, width), np.int64)
    for y in range(height):
        kind, raw = rows[y, 0], rows[y, 1:]
        above = out[y - 1] if y else np.zeros(width, np.int64)
        if kind == 0:
            out[y] = raw
        elif kind == 2:
            out[y] = (raw + above) % 256
        elif kind in (1, 3, 4):
            for x in range(width):
                left = out[y, x - 1] if x else 0
                upper_left = above[x - 1] if x else 0
                if kind == 1:
                    pred = left
                elif kind == 3:
                    pred = (left + above[x]) // 2
                else:
                    p = left + above[x] - upper_left
                    pa, pb, pc = abs(p - left), abs(p - above[x]), abs(p - upper_left)
                    pred = left if pa <= pb and pa <= pc else (above[x] if pb <= pc else upper_left)
                out[y, x] = (raw[x] + pred) % 256
        else:
            return out.astype(np.uint8), False
    return out.astype(np.uint8), True
