"""Duplicate matching in the city index: LSH band candidates, then verification.

A candidate is any document sharing one LSH band of the MinHash signature (32 bands
of 4 rows: pairs above Jaccard ≈0.4 collide with high probability). Verification uses
the estimated Jaccard *and* containment (a copy behind a cover letter, an excerpt), and
treats differing specific numbers (decision, parcel, CCCD numbers) as evidence against:
two matters of one citizen on one template can differ only there. Matches are proposed
for review, never merged or deleted automatically.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import sqlite_utils

from edge.fingerprint.identity import identity_keys
from edge.fingerprint.minhash import NUM_PERM
from edge.fingerprint.normalize import strip_diacritics

BANDS = 32
ROWS = NUM_PERM // BANDS
MIN_JACCARD = 0.45
MIN_CONTAINMENT = 0.80
MIN_SHINGLES = 40  # too little text to judge (a nearly empty page)
_NUMBER = re.compile(r"\d[\d./\-]*\d|\d")
_YEAR = re.compile(r"(19|20)\d\d")
_EMPTY = np.uint32(0xFFFFFFFF)


@dataclass(frozen=True)
class Match:
    """A verified candidate: the other document and why it matched."""

    doc_id: str
    similarity: float
    containment: float
    status: str
    resolved_at: str | None


@dataclass(frozen=True)
class NewMatter:
    """No other document is the same matter."""

    doc_id: str


@dataclass(frozen=True)
class SameMatter:
    """Same matter as earlier documents (proposed for review)."""

    doc_id: str
    matches: tuple[Match, ...]


@dataclass(frozen=True)
class Resubmission:
    """Same matter as a case that was already resolved."""

    doc_id: str
    matches: tuple[Match, ...]


Verdict = NewMatter | SameMatter | Resubmission


def signature_bytes(minhash: tuple[int, ...]) -> bytes:
    """Store a signature compactly (uint32 little-endian)."""
    return np.asarray(minhash, dtype="<u4").tobytes()


def signature(blob: bytes) -> np.ndarray:
    """Read a stored signature."""
    return np.frombuffer(blob, dtype="<u4")


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (SQLite integers are signed)."""
    rows = sig.astype(np.uint64).reshape(BANDS, ROWS)
    keys = np.zeros(BANDS, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(ROWS):
            keys = (keys * np.uint64(0x100000001B3)) ^ rows[:, r]
            keys ^= keys >> np.uint64(29)
    return [int(k) for k in keys.astype(np.int64)]


def estimate(a: np.ndarray, b: np.ndarray, size_a: int, size_b: int) -> tuple[float, float]:
    """Estimated (Jaccard, containment of the smaller in the larger) from two signatures."""
    valid = (a != _EMPTY) | (b != _EMPTY)
    if not valid.any():
        return 0.0, 0.0
    j = float(np.mean(a[valid] == b[valid]))
    small = max(1, min(size_a, size_b))
    inter = j * (size_a + size_b) / (1.0 + j)
    return j, min(1.0, inter / small)


def specific_numbers(text: str) -> set[str]:
    """Numbers that identify a matter: decision, parcel and house numbers, amounts, dates.

    ID-card and phone numbers identify the citizen, not the matter, and a bare year is too
    common to tell matters apart, so both are left out.
    """
    found = {n.replace(".", "").replace("-", "/") for n in _NUMBER.findall(strip_diacritics(text))}
    citizen = {k.split(":", 1)[1].lstrip("+").removeprefix("84") for k in identity_keys(text)}
    out = set()
    for n in found:
        digits = "".join(c for c in n if c.isdigit())
        if len(digits) < 3 or _YEAR.fullmatch(n):
            continue
        if digits in citizen or digits.lstrip("0") in citizen or any(digits.endswith(c) for c in citizen):
            continue
        out.add(n)
    return out


def numbers_conflict(text_a: str, text_b: str) -> bool:
    """Do the two texts disagree on the numbers that identify a matter?"""
    a, b = specific_numbers(text_a), specific_numbers(text_b)
    if not a or not b:
        return False
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / len(small) < 0.6


def _ids(keys_json: str | None) -> set[str]:
    keys = json.loads(keys_json) if keys_json else []
    return {k.split(":", 1)[1] for k in keys if k.startswith(("cccd:", "cmnd:"))}


def identities_conflict(keys_a: str | None, keys_b: str | None) -> bool:
    """Both petitions give ID-card numbers and none is shared (one misread digit tolerated)."""
    a, b = _ids(keys_a), _ids(keys_b)
    if not a or not b:
        return False
    for x in a:
        for y in b:
            if len(x) == len(y) and sum(p != q for p, q in zip(x, y, strict=True)) <= 1:
                return False
    return True


def index_bands(db: sqlite_utils.Database, doc_id: str, sig: np.ndarray) -> None:
    """Add a document's band keys to the LSH table."""
    db["lsh_bands"].insert_all(
        ({"band": i, "key": k, "doc_id": doc_id} for i, k in enumerate(band_keys(sig))),
        ignore=True,
    )


def candidates(db: sqlite_utils.Database, doc_id: str, sig: np.ndarray) -> list[str]:
    """Documents sharing at least one band with ``sig``."""
    keys = band_keys(sig)
    clause = " or ".join("(band = ? and key = ?)" for _ in keys)
    params: list[int] = [v for i, k in enumerate(keys) for v in (i, k)]
    rows = db.execute(f"select distinct doc_id from lsh_bands where {clause}", params).fetchall()
    return [r[0] for r in rows if r[0] != doc_id]


def match_document(db: sqlite_utils.Database, doc_id: str) -> Verdict:
    """Find, verify and record the duplicates of a stored document; index its bands."""
    doc = db["documents"].get(doc_id)
    sig = signature(doc["minhash"])
    found: list[Match] = []
    if doc["shingle_count"] >= MIN_SHINGLES:
        for other_id in candidates(db, doc_id, sig):
            other = db["documents"].get(other_id)
            if other["fp_version"] != doc["fp_version"] or other["shingle_count"] < MIN_SHINGLES:
                continue
            j, c = estimate(sig, signature(other["minhash"]), doc["shingle_count"],
                            other["shingle_count"])
            if other["text_sha256"] != doc["text_sha256"]:
                if j < MIN_JACCARD and c < MIN_CONTAINMENT:
                    continue
                # Same template, other citizen or other decision/parcel: another matter,
                # however much boilerplate the two letters share.
                if identities_conflict(doc["identity_keys"], other["identity_keys"]):
                    continue
                if numbers_conflict(doc["text"], other["text"]):
                    continue
            found.append(Match(other_id, round(j, 3), round(c, 3), other["status"] or "received",
                               other["resolved_at"]))
        index_bands(db, doc_id, sig)
    if not found:
        return NewMatter(doc_id)
    found.sort(key=lambda m: -m.similarity)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for m in found:
        a, b = sorted((doc_id, m.doc_id))
        db["duplicate_pairs"].insert(
            {"doc_a": a, "doc_b": b, "similarity": m.similarity, "containment": m.containment,
             "method": f"minhash-v{doc['fp_version']}", "found_at": now, "decision": "proposed"},
            ignore=True,  # a pair an operator already rejected stays rejected
        )
    if any(m.status == "resolved" for m in found):
        return Resubmission(doc_id, tuple(found))
    return SameMatter(doc_id, tuple(found))


def clusters(db: sqlite_utils.Database) -> list[list[str]]:
    """Groups of two or more documents linked by pairs not rejected by an operator."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in db.execute("select doc_a, doc_b from duplicate_pairs where decision != 'rejected'"):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])
