"""Duplicate matching in the city index: LSH candidates, then verification on the texts.

1. Candidates: documents sharing an LSH band of the MinHash signature (``lsh``), plus
   any document with the very same normalized text.
2. A cheap MinHash estimate drops candidates that cannot pass; the rest are verified on
   the exact shingle sets with boilerplate discounted (``verify``, ``boilerplate``).
3. A pair passes on Jaccard (copies, re-typed letters) *or* containment (cover page,
   excerpt, added pages), unless the two letters give other ID-card numbers or disagree
   on the numbers that identify a matter (``evidence``).
4. Outcomes are typed (``verdicts``); pairs are proposed for review, never merged or
   deleted; a pair an operator rejected is never proposed again. Documents of the same
   citizen about another matter are linked (``citizens``), not proposed.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import sqlite_utils

from edge.fingerprint.minhash import FINGERPRINT_VERSION, fingerprint
from hub.dedup import boilerplate, citizens, lsh
from hub.dedup.evidence import identities_conflict, matter_text, numbers_conflict, shares_identity
from hub.dedup.verdicts import Match, NewMatter, Resubmission, SameMatter, Verdict
from hub.dedup.verify import compare, specific_shingles

__all__ = ["Match", "NewMatter", "Resubmission", "SameMatter", "Verdict", "clusters", "match_document",
           "signature", "signature_bytes"]

MIN_JACCARD = 0.22  # weighted: boilerplate counts less (see boilerplate.py)
MIN_CONTAINMENT = 0.40
# The same, on the letters without the particulars lines, for two letters of one citizen.
SAME_CITIZEN_JACCARD = 0.18
SAME_CITIZEN_CONTAINMENT = 0.33
MIN_SHINGLES = 40  # too little text to judge (a nearly empty page)
# Looser bounds on the MinHash estimate before the exact check (estimates err by ~±0.1).
PRE_JACCARD = 0.25
PRE_CONTAINMENT = 0.50

_DOC_SQL = ("select d.doc_id, d.minhash, d.fp_version, d.text_sha256, d.shingle_count, "
            "d.identity_keys, coalesce(d.status, 'received') as status, d.resolved_at, d.case_ref "
            "from documents d")


def signature_bytes(minhash: tuple[int, ...]) -> bytes:
    """Store a signature compactly (uint32 little-endian)."""
    return np.asarray(minhash, dtype="<u4").tobytes()


def signature(blob: bytes) -> np.ndarray:
    """Read a stored signature."""
    return np.frombuffer(blob, dtype="<u4")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _upgrade(db: sqlite_utils.Database, doc: dict) -> dict:
    """Refingerprint a document sent by an older kiosk (the hub holds the text)."""
    fp = fingerprint(doc["text"] or "")
    values = {"fp_version": fp.version, "minhash": signature_bytes(fp.minhash),
              "text_sha256": fp.text_sha256, "shingle_count": fp.shingle_count}
    db.execute("update documents set fp_version = ?, minhash = ?, text_sha256 = ?, shingle_count = ? "
               "where doc_id = ?", [*values.values(), doc["doc_id"]])
    return {**doc, **values}


def register(db: sqlite_utils.Database, doc_id: str) -> int:
    """The document's small integer number in the dedup tables (assigned on first call)."""
    db.execute("insert or ignore into dedup_docs (doc_id) values (?)", [doc_id])
    return db.execute("select n from dedup_docs where doc_id = ?", [doc_id]).fetchone()[0]


def _rejected(db: sqlite_utils.Database, doc_id: str) -> set[str]:
    rows = db.execute("select case when doc_a = :d then doc_b else doc_a end from duplicate_pairs "
                      "where (doc_a = :d or doc_b = :d) and decision in ('rejected', 'withdrawn')", {"d": doc_id})
    return {r[0] for r in rows}


def _candidates(db: sqlite_utils.Database, n: int, doc: dict, sig: np.ndarray,
                template: np.ndarray, boiler_mask) -> list[dict]:
    """Candidates whose MinHash estimate can pass (all documents with the very same text included)."""
    nums = lsh.candidates(db, n, sig, template)
    specific = ~template
    out: dict[str, dict] = {}
    cols = ("doc_id", "minhash", "fp_version", "text_sha256", "shingle_count", "identity_keys", "status",
            "resolved_at", "case_ref")
    for i in range(0, len(nums), 500):
        chunk = nums[i:i + 500]
        # Plain tuples: most candidates fail the estimate and never need a dict.
        rows = [r for r in db.conn.execute(
            "select d.doc_id, d.minhash, d.fp_version, d.text_sha256, d.shingle_count, d.identity_keys, "
            "coalesce(d.status, 'received'), d.resolved_at, d.case_ref from dedup_docs x "
            f"join documents d on d.doc_id = x.doc_id where x.n in ({','.join('?' * len(chunk))})", chunk)
            if r[2] == FINGERPRINT_VERSION and r[4] >= MIN_SHINGLES]
        if not rows:
            continue
        # One vectorised estimate for the whole chunk; only plausible pairs read their text.
        sigs = np.frombuffer(b"".join(r[1] for r in rows), dtype="<u4").reshape(len(rows), -1)
        # Jaccard estimated on the positions not won by template shingles: a position's
        # winner over both texts is the smaller value; it is template text if either
        # signature's value there is (equal values are then both template).
        eq = sigs == sig[None, :]
        low = np.where(sigs < sig[None, :], sigs, sig[None, :])
        spec = specific[None, :] & ~boiler_mask(low)
        j = (eq & spec).sum(axis=1) / np.maximum(1, spec.sum(axis=1))
        sizes = np.array([r[4] for r in rows], dtype=np.float64)
        c = np.minimum(1.0, j * (sizes + doc["shingle_count"]) / (1.0 + j) / np.maximum(1.0, np.minimum(
            sizes, doc["shingle_count"])))
        keep = (j >= PRE_JACCARD) | (c >= PRE_CONTAINMENT)
        for r, k in zip(rows, keep.tolist(), strict=True):
            if k or r[3] == doc["text_sha256"]:
                out[r[0]] = dict(zip(cols, r, strict=True))
    for r in db.query(_DOC_SQL + " where d.text_sha256 = ? and d.doc_id != ? limit 50",
                      [doc["text_sha256"], doc["doc_id"]]):
        out[r["doc_id"]] = r
    out.pop(doc["doc_id"], None)
    return list(out.values())


def verify_pair(doc: dict, other: dict, sig: np.ndarray, shingles_of, boiler: boilerplate.Weights,
                text_of) -> Match | None:
    """A Match when ``other`` is the same matter as ``doc``, else None."""
    if other["text_sha256"] == doc["text_sha256"]:
        return Match(other["doc_id"], 1.0, 1.0, other["status"], other["resolved_at"], other["case_ref"])
    if other["shingle_count"] < MIN_SHINGLES or other["fp_version"] != FINGERPRINT_VERSION:
        return None
    # Same template, other citizen: another matter, however much text the letters share.
    if identities_conflict(doc["identity_keys"], other["identity_keys"]):
        return None
    text = text_of(other["doc_id"])
    s = compare(shingles_of(doc), specific_shingles(text, boiler))
    if s.jaccard < MIN_JACCARD and s.containment < MIN_CONTAINMENT:
        return None
    same_citizen = shares_identity(doc["identity_keys"], other["identity_keys"])
    if same_citizen:
        # Known to be one citizen: the particulars lines match whatever the matter, so
        # judge the rest of the letter on its own.
        t = compare(shingles_of(doc, matter_only=True), specific_shingles(matter_text(text), boiler))
        if t.jaccard < SAME_CITIZEN_JACCARD and t.containment < SAME_CITIZEN_CONTAINMENT:
            return None
    # Other decision, parcel, house number or dates (or another person's birth date and house
    # number, when the ID numbers were not read): another matter of the same kind.
    if numbers_conflict(doc["text"] or "", text, particulars=not same_citizen):
        return None
    return Match(other["doc_id"], round(s.jaccard, 3), round(s.containment, 3), other["status"],
                 other["resolved_at"], other["case_ref"])


def match_document(db: sqlite_utils.Database, doc_id: str) -> Verdict:
    """Find, verify and record the duplicates of a stored document; index it for later ones."""
    rows = list(db.query(_DOC_SQL.replace("d.doc_id,", "d.doc_id, d.text,", 1) + " where d.doc_id = ?", [doc_id]))
    if not rows:
        raise KeyError(doc_id)
    doc = rows[0]
    if doc["fp_version"] != FINGERPRINT_VERSION:
        doc = _upgrade(db, doc)
    n = register(db, doc_id)
    if boilerplate.maybe_refresh(db):
        recheck_proposed(db)
    sig = signature(doc["minhash"])
    found: list[Match] = []
    judged = doc["shingle_count"] >= MIN_SHINGLES
    if judged:
        boiler = boilerplate.current(db)
        own: dict[bool, object] = {}

        def shingles_of(d: dict, matter_only: bool = False):
            if matter_only not in own:
                text = d["text"] or ""
                own[matter_only] = specific_shingles(matter_text(text) if matter_only else text, boiler)
            return own[matter_only]

        def text_of(other_id: str) -> str:
            row = db.execute("select text from documents where doc_id = ?", [other_id]).fetchone()
            return (row[0] if row else "") or ""

        rejected = _rejected(db, doc_id)
        template = boiler.template_positions(sig)

        for other in _candidates(db, n, doc, sig, template, boiler.template_positions):
            if other["doc_id"] in rejected:
                continue
            m = verify_pair(doc, other, sig, shingles_of, boiler, text_of)
            if m:
                found.append(m)
    if judged:
        lsh.add(db, n, sig, boilerplate.current(db).template_positions(sig))
    now = _now()
    gen = boilerplate.generation(db)
    keys = json.loads(doc["identity_keys"]) if doc["identity_keys"] else []
    links = citizens.link(db, n, doc_id, keys, {m.doc_id for m in found}, now)
    found.sort(key=lambda m: (-m.similarity, -m.containment, m.doc_id))
    for m in found:
        a, b = sorted((doc_id, m.doc_id))
        db.execute("insert or ignore into duplicate_pairs (doc_a, doc_b, similarity, containment, method, "
                   "found_at, decision, boiler_gen) values (?, ?, ?, ?, ?, ?, 'proposed', ?)",
                   [a, b, m.similarity, m.containment, f"minhash-v{FINGERPRINT_VERSION}", now, gen])
    if not found:
        return NewMatter(doc_id, links)
    if any(m.status == "resolved" for m in found):
        return Resubmission(doc_id, tuple(found), links)
    return SameMatter(doc_id, tuple(found), links)


def recheck_proposed(db: sqlite_utils.Database) -> int:
    """Re-verify undecided proposals made under older boilerplate; withdraw those that fail now.

    A young index has not yet learned its templates, so its first proposals lean on shared
    template sentences. Operators' decisions are never touched. Returns how many were withdrawn.
    """
    gen = boilerplate.generation(db)
    boiler = boilerplate.current(db)
    stale = db.execute("select doc_a, doc_b from duplicate_pairs where decision = 'proposed' "
                       "and coalesce(boiler_gen, 0) < ?", [gen]).fetchall()
    withdrawn = 0
    full = _DOC_SQL.replace("d.doc_id,", "d.doc_id, d.text,", 1) + " where d.doc_id = ?"
    for a, b in stale:
        ra, rb = list(db.query(full, [a])), list(db.query(full, [b]))
        ok = bool(ra and rb)
        if ok and ra[0]["text_sha256"] != rb[0]["text_sha256"]:
            s = compare(specific_shingles(ra[0]["text"] or "", boiler), specific_shingles(rb[0]["text"] or "", boiler))
            ok = s.jaccard >= MIN_JACCARD or s.containment >= MIN_CONTAINMENT
        if ok:
            db.execute("update duplicate_pairs set boiler_gen = ? where doc_a = ? and doc_b = ?", [gen, a, b])
        else:
            db.execute("update duplicate_pairs set decision = 'withdrawn', decided_by = 'system', decided_at = ?, "
                       "boiler_gen = ? where doc_a = ? and doc_b = ?", [_now(), gen, a, b])
            withdrawn += 1
    return withdrawn


def clusters(db: sqlite_utils.Database) -> list[list[str]]:
    """Groups of two or more documents linked by pairs proposed or confirmed (not rejected, not withdrawn)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in db.execute("select doc_a, doc_b from duplicate_pairs where coalesce(decision, 'proposed') "
                           "in ('proposed', 'confirmed')"):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])
