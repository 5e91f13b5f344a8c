"""Numba kernels of the imaging stage; private, called only through the checked public functions."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# Global arrays are frozen into the compiled kernel as constants.
_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


# Angles evaluated per pass over the points: each gets its own histogram row, so consecutive
# points (which fall in the same bin) do not wait on each other's read-modify-write.
_ANGLE_CHUNK = 8


@njit(cache=True, nogil=True)
def projection_energies(
    xs: np.ndarray, ys: np.ndarray, ws: np.ndarray, angles_deg: np.ndarray, extent: float
) -> np.ndarray:
    """Edge energy of the ink profile across lines tilted by each angle (maths in _reference)."""
    n = xs.shape[0]
    na = angles_deg.shape[0]
    out = np.zeros(na, dtype=np.float64)
    nbins = int(2.0 * extent) + 3
    # Four zero bins either side make the 5-tap smoothing branch-free.
    hist = np.zeros((_ANGLE_CHUNK, nbins + 8), dtype=np.float64)
    sins = np.empty(_ANGLE_CHUNK, np.float64)
    coss = np.empty(_ANGLE_CHUNK, np.float64)
    b0, b1, b2 = _BINOMIAL[0], _BINOMIAL[1], _BINOMIAL[2]
    for a0 in range(0, na, _ANGLE_CHUNK):
        m = min(_ANGLE_CHUNK, na - a0)
        for k in range(m):
            a = angles_deg[a0 + k] * (math.pi / 180.0)
            sins[k] = math.sin(a)
            coss[k] = math.cos(a)
        hist[:, :] = 0.0
        for i in range(n):
            x = float(xs[i])
            y = float(ys[i])
            w = float(ws[i])
            for k in range(m):
                r = x * sins[k] + y * coss[k] + extent
                j = int(r)
                wf = w * (r - j)
                hist[k, j + 4] += w - wf
                hist[k, j + 5] += wf
        # Binomial [1 4 6 4 1]/16 smoothing, then squared neighbour differences.
        for k in range(m):
            row = hist[k]
            e = 0.0
            prev = 0.0
            for j in range(nbins + 4):
                v = b0 * (row[j] + row[j + 4]) + b1 * (row[j + 1] + row[j + 3]) + b2 * row[j + 2]
                d = v - prev
                e += d * d
                prev = v
            out[a0 + k] = e
    return out


@njit(cache=True, nogil=True)
def gather_ink(small: np.ndarray, mask: np.ndarray, paper: float, min_weight: float):
    """Points (centred, jittered inside their pixel) and darkness weights of masked ink pixels."""
    h, w = small.shape
    n = 0
    for y in range(h):
        for x in range(w):
            if mask[y, x] and paper - small[y, x] > min_weight:
                n += 1
    xs = np.empty(n, np.float32)
    ys = np.empty(n, np.float32)
    ws = np.empty(n, np.float32)
    cx = (w - 1) / 2.0
    cy = (h - 1) / 2.0
    k = 0
    for y in range(h):
        for x in range(w):
            if mask[y, x]:
                d = paper - small[y, x]
                if d > min_weight:
                    # Fixed low-discrepancy jitter (R2 sequence), identical to the reference.
                    # (t - floor(t) is exact here and much cheaper than Python's float modulo.)
                    tx = k * 0.7548776662466927
                    ty = k * 0.5698402909980532
                    jx = tx - math.floor(tx)
                    jy = ty - math.floor(ty)
                    xs[k] = x - cx + jx - 0.5
                    ys[k] = y - cy + jy - 0.5
                    ws[k] = d
                    k += 1
    return xs, ys, ws


@njit(cache=True, nogil=True)
def histogram(img: np.ndarray) -> np.ndarray:
    """Counts of each grey level 0..255 of a uint8 image."""
    h, w = img.shape
    # Four interleaved tables: neighbouring pixels (often the same level) do not serialize.
    hs = np.zeros((4, 256), np.int64)
    for y in range(h):
        row = img[y]
        x = 0
        while x + 4 <= w:
            hs[0, row[x]] += 1
            hs[1, row[x + 1]] += 1
            hs[2, row[x + 2]] += 1
            hs[3, row[x + 3]] += 1
            x += 4
        while x < w:
            hs[0, row[x]] += 1
            x += 1
    return hs[0] + hs[1] + hs[2] + hs[3]


@njit(cache=True, nogil=True)
def select_labels(labels: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """255 where the pixel's label is kept (keep[label] != 0), else 0."""
    h, w = labels.shape
    out = np.empty((h, w), np.uint8)
    for y in range(h):
        row = labels[y]
        o = out[y]
        for x in range(w):
            o[x] = 255 if keep[row[x]] else 0
    return out


@njit(cache=True, nogil=True)
def component_stats(labels: np.ndarray, n: int):
    """Bounding box, area and centroid of labels 1..n-1, laid out like cv2's (row 0 unused)."""
    h, w = labels.shape
    x0 = np.full(n, w, np.int64)
    y0 = np.full(n, h, np.int64)
    x1 = np.full(n, -1, np.int64)
    y1 = np.full(n, -1, np.int64)
    area = np.zeros(n, np.int64)
    sx = np.zeros(n, np.int64)
    sy = np.zeros(n, np.int64)
    for y in range(h):
        row = labels[y]
        for x in range(w):
            lab = row[x]
            if lab > 0:
                if x < x0[lab]:
                    x0[lab] = x
                if x > x1[lab]:
                    x1[lab] = x
                if y < y0[lab]:
                    y0[lab] = y
                y1[lab] = y  # rows are visited in order
                area[lab] += 1
                sx[lab] += x
                sy[lab] += y
    stats = np.zeros((n, 5), np.int32)
    cents = np.zeros((n, 2), np.float64)
    for lab in range(1, n):
        if area[lab] > 0:
            stats[lab, 0] = x0[lab]
            stats[lab, 1] = y0[lab]
            stats[lab, 2] = x1[lab] - x0[lab] + 1
            stats[lab, 3] = y1[lab] - y0[lab] + 1
            stats[lab, 4] = area[lab]
            cents[lab, 0] = sx[lab] / area[lab]
            cents[lab, 1] = sy[lab] / area[lab]
    return stats, cents


@njit(cache=True, nogil=True)
def sauvola(gray: np.ndarray, radius: int, k: float, dynamic: float) -> np.ndarray:
    """Sauvola threshold from 2x2-block sums over a window of 2*radius+1 blocks (maths in _reference)."""
    h, w = gray.shape
    bh = (h + 1) // 2
    bw = (w + 1) // 2
    # Exact integer block sums of v and v*v; one pass over the full-resolution page.
    s1 = np.empty((bh, bw), np.int32)
    s2 = np.empty((bh, bw), np.int32)
    for by in range(bh):
        ya = 2 * by
        yb = min(h - 1, ya + 1)
        g0 = gray[ya]
        g1 = gray[yb]
        r1 = s1[by]
        r2 = s2[by]
        for bx in range(w // 2):
            a = np.int32(g0[2 * bx])
            b = np.int32(g0[2 * bx + 1])
            c = np.int32(g1[2 * bx])
            d = np.int32(g1[2 * bx + 1])
            r1[bx] = a + b + c + d
            r2[bx] = a * a + b * b + c * c + d * d
        if w % 2:
            a = np.int32(g0[w - 1])
            c = np.int32(g1[w - 1])
            r1[bw - 1] = a + c
            r2[bw - 1] = a * a + c * c
        if yb == ya:  # odd height: the last block row counted its single row twice
            for bx in range(bw):
                r1[bx] //= 2
                r2[bx] //= 2
    out = np.empty((h, w), np.uint8)
    colsum = np.zeros(bw, np.int64)
    colsq = np.zeros(bw, np.int64)
    for by in range(min(radius, bh)):
        for bx in range(bw):
            colsum[bx] += s1[by, bx]
            colsq[bx] += s2[by, bx]
    # Integer threshold per pixel column of the current block row: ink where v <= floor(t).
    thr = np.empty(w, np.int16)
    base = 1.0 - k  # m * (1 + k (s/R - 1)) = m * (base + slope * s)
    slope = k / dynamic
    for by in range(bh):
        ya = by + radius
        if ya < bh:
            for bx in range(bw):
                colsum[bx] += s1[ya, bx]
                colsq[bx] += s2[ya, bx]
        yr = by - radius - 1
        if yr >= 0:
            for bx in range(bw):
                colsum[bx] -= s1[yr, bx]
                colsq[bx] -= s2[yr, bx]
        rows = min(h, 2 * (by + radius + 1)) - 2 * max(0, by - radius)
        s = np.int64(0)
        q = np.int64(0)
        for bx in range(min(radius, bw)):
            s += colsum[bx]
            q += colsq[bx]
        for bx in range(bw):
            xa = bx + radius
            if xa < bw:
                s += colsum[xa]
                q += colsq[xa]
            xr = bx - radius - 1
            if xr >= 0:
                s -= colsum[xr]
                q -= colsq[xr]
            cols = min(w, 2 * (bx + radius + 1)) - 2 * max(0, bx - radius)
            inv = 1.0 / float(rows * cols)
            m = s * inv
            var = q * inv - m * m
            sd = math.sqrt(var) if var > 0.0 else 0.0
            t = math.floor(m * (base + slope * sd))
            ti = np.int16(min(255.0, max(-1.0, t)))
            thr[2 * bx] = ti
            if 2 * bx + 1 < w:
                thr[2 * bx + 1] = ti
        for y in range(2 * by, min(h, 2 * by + 2)):
            g = gray[y]
            o = out[y]
            for x in range(w):
                o[x] = 0 if np.int16(g[x]) <= thr[x] else 255
    return out


@njit(cache=True, nogil=True)
def png_unfilter(data: np.ndarray, height: int, width: int):
    """Undo the PNG row filters of an 8-bit one-channel image: the pixels, and False on a bad filter.

    ``data`` is the inflated image data, each row a filter-type byte then ``width`` bytes.
    """
    out = np.empty((height, width), np.uint8)
    stride = width + 1
    prev = np.zeros(width, np.int32)  # the row above, 0 above the first
    for y in range(height):
        kind = data[y * stride]
        base = y * stride + 1
        row = out[y]
        if kind == 0:  # None
            for x in range(width):
                row[x] = data[base + x]
        elif kind == 1:  # Sub: plus the pixel to the left
            a = 0
            for x in range(width):
                a = (data[base + x] + a) & 255
                row[x] = a
        elif kind == 2:  # Up: plus the pixel above
            for x in range(width):
                row[x] = (data[base + x] + prev[x]) & 255
        elif kind == 3:  # Average of left and above
            a = 0
            for x in range(width):
                a = (data[base + x] + ((a + prev[x]) >> 1)) & 255
                row[x] = a
        elif kind == 4:  # Paeth: whichever of left, above, upper-left is nearest to left+above-upper-left
            a = 0
            c = 0
            for x in range(width):
                b = prev[x]
                p = a + b - c
                pa = abs(p - a)
                pb = abs(p - b)
                pc = abs(p - c)
                if pa <= pb and pa <= pc:
                    pred = a
                elif pb <= pc:
                    pred = b
                else:
                    pred = c
                a = (data[base + x] + pred) & 255
                row[x] = a
                c = b
        else:
            return out, False
        for x in range(width):
            prev[x] = row[x]
    return out, True
