"""Duplicate matching in the city index: candidates, features, one scoring model, threshold, clusters.

1. Candidates: documents sharing an LSH band of the MinHash signature (``lsh``), plus
   the citizen's other letters (the same ID or phone number) and any document with the
   very same normalized text. A cheap MinHash estimate drops candidates that cannot be
   the same text; another citizen's letter (other ID-card numbers) is never one.
2. Features: one pure function of the two letters (``features``): shingle overlap raw
   and with boilerplate discounted (``verify``, ``boilerplate``), passages found with OCR
   errors allowed, identity relations, the numbers and dates of the matter, stretches in
   other words, each letter's OCR noise read from its own words (``noise``), reflow.
3. Decision: the fitted model (``model``; weights in ``data/model.json``, refitted by
   ``python -m hub dedup fit``) gives a match probability; at or above its fitted threshold
   the pair is proposed, with the probability and its reasons stored (``reasons``).
   Levels found in no true pair (other ID-card numbers; a stretch in other words) are hard
   constraints. The previous rule chain (``Verifier.check``) stays runnable as
   ``matcher="rules"`` for comparison.
4. Outcomes are typed (``verdicts``); pairs are proposed for review, never merged or
   deleted; a pair an operator rejected is never proposed again. Documents of the same
   citizen about another matter are linked (``citizens``), not proposed.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import sqlite_utils

from edge.fingerprint.minhash import FINGERPRINT_VERSION, fingerprint
from edge.fingerprint.normalize import fold
from edge.wire import Fingerprint
from hub.dedup import boilerplate, citizens, lsh, model, recent
from hub.dedup.evidence import (
    id_keys,
    identities_conflict,
    near_identity,
    numbers_conflict,
)
from hub.dedup.features import PairFeatures
from hub.dedup.noise import word_noise
from hub.dedup.reasons import stored_reasons
from hub.dedup.rules import EVIDENCE, MIN_SHINGLES, Verifier
from hub.dedup.verdicts import Match, NewMatter, Resubmission, SameMatter, Verdict
from hub.index.db import marks
from hub.index.db import rows as fetch_rows
from hub.index.fingerprints import register, signature, signature_bytes

log = logging.getLogger(__name__)

__all__ = ["Match", "NewMatter", "Resubmission", "SameMatter", "Verdict", "clusters", "finish_recheck",
           "identities_conflict", "match_document", "numbers_conflict", "recheck_pending", "recheck_proposed",
           "register", "signature", "signature_bytes"]

# Looser bounds on the MinHash estimate before the exact check. Hand-set, not fitted: the rule
# chain's bounds (``rules.MIN_JACCARD`` 0.22, ``rules.MIN_CONTAINMENT`` 0.40) less the estimate's
# error (a 128-permutation estimate of a Jaccard near 0.2 has a standard error of
# sqrt(0.2 × 0.8 / 128) ≈ 0.035, fewer positions when template ones are left out) ...
PRE_JACCARD = 0.15
PRE_CONTAINMENT = 0.30
# ... and looser still, below ``rules.NOISY_CONTAINMENT`` (0.20), for a candidate giving one of
# the document's ID or phone numbers: OCR noise may have hidden a copy that its passages will show.
# The model is fitted only on pairs that pass these bounds (``fit`` matches through them).
PRE_JACCARD_CITIZEN = 0.10
PRE_CONTAINMENT_CITIZEN = 0.18

# A candidate's details, read only for those whose MinHash estimate can pass.
_DETAIL_SQL = ("select doc_id, text_sha256, identity_keys, coalesce(status, 'received') as status, resolved_at, "
               "case_ref, received_at from documents")
# At most this many candidates (best estimates first) are verified on their text: a matter
# is handed in a few times, not a hundred, and the bound keeps a lookup's cost bounded.
MAX_VERIFY = 100


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _load(db: sqlite_utils.Database, doc_id: str) -> dict:
    """A stored document with its fingerprint, refingerprinted if an older kiosk sent it."""
    row = db.execute("select x.n, x.fp, x.shingles, x.sig, d.text, d.text_fold, d.text_sha256, d.identity_keys, "
                     "d.received_at from documents d left join dedup_docs x on x.doc_id = d.doc_id "
                     "where d.doc_id = ?", [doc_id]).fetchone()
    if row is None:
        raise KeyError(doc_id)
    n, fp_version, count, sig, text, folded, sha, keys, received_at = row
    if n is None or fp_version != FINGERPRINT_VERSION:
        # The hub holds the text: an older fingerprint is recomputed here, as the kiosk would now.
        n, fp = refingerprint(db, doc_id, text, keys)
        count, sig, sha = fp.shingle_count, signature_bytes(fp.minhash), fp.text_sha256
    return {"doc_id": doc_id, "n": n, "shingle_count": count, "sig": signature(sig), "text": text,
            "text_fold": folded if folded is not None else fold(text or ""), "text_sha256": sha,
            "identity_keys": keys, "received_at": received_at}


def refingerprint(db: sqlite_utils.Database, doc_id: str, text: str | None,
                  keys: str | None) -> tuple[int, Fingerprint]:
    """Fingerprint a stored text anew with the current version; return its dedup number and fingerprint."""
    fp = fingerprint(text or "")
    n = register(db, doc_id, fp, id_keys(keys))
    db.execute("update documents set fp_version = ?, text_sha256 = ?, shingle_count = ? where doc_id = ?",
               [fp.version, fp.text_sha256, fp.shingle_count, doc_id])
    return n, fp


def index_bands(db: sqlite_utils.Database, n: int, band_keys: list[int], template: np.ndarray, count: int,
                sizes: dict[int, int] | None = None) -> None:
    """Make document ``n`` findable by later lookups: its band keys (when it has enough text to
    judge; ``sizes`` as its own lookup read them) and its template mask as learned now, for
    their estimates."""
    if count >= MIN_SHINGLES:
        lsh.add(db, n, band_keys, sizes)
    db.execute("update dedup_docs set tmask = ? where n = ?", [np.packbits(template).tobytes(), n])


def _rejected(db: sqlite_utils.Database, doc_id: str) -> set[str]:
    rows = db.execute("select case when doc_a = :d then doc_b else doc_a end from duplicate_pairs "
                      "where (doc_a = :d or doc_b = :d) and decision in ('rejected', 'withdrawn')", {"d": doc_id})
    return {r[0] for r in rows}


def _estimates(sig: np.ndarray, template: np.ndarray, size: int, sigs: np.ndarray, masks: np.ndarray,
               sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MinHash estimates (Jaccard, containment) of one signature against many, template text left out.

    A position is left out when this document's value there is template text, or when the
    other's value is smaller (it wins over both texts) and the other marked it as template
    (each document's template mask is stored with it): positions won by template shingles
    count neither for nor against.
    """
    eq = sigs == sig[None, :]
    theirs = sigs < sig[None, :]
    spec = ~(template[None, :] | (theirs & masks))
    j = (eq & spec).sum(axis=1) / np.maximum(1, spec.sum(axis=1))
    c = np.minimum(1.0, j * (sizes + size) / (1.0 + j) / np.maximum(1.0, np.minimum(sizes, size)))
    return j, c


def _candidates(db: sqlite_utils.Database, doc: dict, template: np.ndarray, others: list[int]) -> list[dict]:
    """Of the documents numbered ``others``, those whose MinHash estimate can pass, best first
    (all documents with the very same text included)."""
    sig = doc["sig"]
    rows = []
    if others:
        rows = db.conn.execute(f"select n, sig, tmask, shingles, keys from dedup_docs where n in "
                               f"({marks(others)}) and fp = ? and shingles >= ?",
                               [*others, FINGERPRINT_VERSION, MIN_SHINGLES]).fetchall()
    scored: list[tuple[float, int]] = []
    if rows:
        sigs = np.frombuffer(b"".join(r[1] for r in rows), dtype="<u4").reshape(len(rows), -1)
        masks = np.unpackbits(np.frombuffer(b"".join(r[2] or bytes(16) for r in rows), dtype=np.uint8)
                              .reshape(len(rows), -1), axis=1)[:, :sig.size].astype(bool)
        sizes = np.array([r[3] for r in rows], dtype=np.float64)
        j, c = _estimates(sig, template, doc["shingle_count"], sigs, masks, sizes)
        keep = (j >= PRE_JACCARD) | (c >= PRE_CONTAINMENT)
        mine = id_keys(doc["identity_keys"])
        if mine:
            for i in np.flatnonzero(~keep & ((j >= PRE_JACCARD_CITIZEN) | (c >= PRE_CONTAINMENT_CITIZEN))).tolist():
                keep[i] = near_identity(mine, id_keys(rows[i][4]))
        # Another citizen's letter on the same template is another matter: skip its details.
        keep = [i for i in np.flatnonzero(keep).tolist()
                if not (mine and identities_conflict(doc["identity_keys"], rows[i][4]))]
        scored = [(max(float(j[i]), float(c[i])), rows[i][0]) for i in keep]
    scored.sort(reverse=True)
    best = [n for _, n in scored[:MAX_VERIFY]]
    out: dict[str, dict] = {}
    if best:
        for r in fetch_rows(db, _DETAIL_SQL + f" where doc_id in (select doc_id from dedup_docs where n in ({marks(best)}))",
                          best):
            out[r["doc_id"]] = r
    for r in fetch_rows(db, _DETAIL_SQL + " where text_sha256 = ? and doc_id != ? limit 50",
                      [doc["text_sha256"], doc["doc_id"]]):
        out[r["doc_id"]] = r
    out.pop(doc["doc_id"], None)
    return list(out.values())


# Which decides a pair: the fitted scoring model (``model``), or the rule chain of
# ``Verifier.check`` it replaces (kept to compare them; the model scores and explains
# every proposal either way). A product decision, see ``python -m tests.bench.bench_dedup``.
DEFAULT_MATCHER = "model"
MATCHERS = ("model", "rules")
Observer = Callable[[str, dict, PairFeatures, "model.Score"], None]


def match_document(db: sqlite_utils.Database, doc_id: str, *, matcher: str | None = None,
                   observer: Observer | None = None) -> Verdict:
    """Find, verify and record the duplicates of a stored document; index it for later ones.

    ``observer`` (for fitting the model) is handed every candidate scored, with its features.
    """
    matcher = matcher or DEFAULT_MATCHER
    doc = _load(db, doc_id)
    n, sig = doc["n"], doc["sig"]
    if boilerplate.maybe_refresh(db) and _recheck_due(db):
        boilerplate.set_state(db, "recheck_pending", 1)
    if n % RECHECK_EVERY == 0 and recheck_pending(db):
        recheck_proposed(db, limit=1)
    boiler = boilerplate.current(db)
    weights = model.load()
    # Through the recent cache: this document is a candidate for the next ones.
    codes = recent.shingles(doc["text_sha256"], lambda: doc["text_fold"])
    template = boiler.template_mask(codes)
    band_keys = lsh.keys(sig, template)
    found: list[Match] = []
    scored: dict[str, tuple[PairFeatures, model.Score]] = {}
    sizes = None
    verifier = None
    keys = id_keys(doc["identity_keys"])
    kin = citizens.sharing(db, n, keys)
    if doc["shingle_count"] >= MIN_SHINGLES:
        verifier = Verifier(db, doc, boiler)
        looked = lsh.lookup(db, n, band_keys)
        sizes = looked.sizes
        # The bands, and the citizen's other letters: a copy whose own wording is all common
        # phrasing (or hidden by noise) is still found through the ID or phone number it gives.
        candidates = _candidates(db, doc, template, list(dict.fromkeys([*citizens.newest(kin), *looked.candidates])))
        rejected = _rejected(db, doc_id) if candidates else set()
        for other in candidates:
            if other["doc_id"] in rejected:
                continue
            if matcher == "model" or observer is not None:
                f = verifier.features(other)
                sc = model.score(f, weights)
                scored[other["doc_id"]] = (f, sc)
                if observer is not None:
                    observer(doc_id, other, f, sc)
            if matcher == "model":
                m = _model_match(other, doc, *scored[other["doc_id"]], weights)
            else:
                m = verifier.check(other)
            if m:
                if other["doc_id"] not in scored:
                    f = verifier.features(other)
                    scored[other["doc_id"]] = (f, model.score(f, weights))
                found.append(replace(m, probability=round(scored[other["doc_id"]][1].probability, 4)))
    # The estimate the features read, when a candidate was scored (kept in ``recent``).
    noise = verifier.derived(doc, "noise") if verifier is not None else word_noise(doc["text"] or "")
    db.execute("update dedup_docs set noise = ? where n = ?", [noise, n])
    index_bands(db, n, band_keys, template, doc["shingle_count"], sizes)
    now = _now()
    gen = boilerplate.generation(db)
    links = citizens.link(db, n, doc_id, keys, {m.doc_id for m in found}, now, kin)
    found.sort(key=lambda m: (-(m.probability or 0.0), -m.similarity, -m.containment, m.doc_id))
    for m in found:
        a, b = sorted((doc_id, m.doc_id))
        f, sc = scored[m.doc_id]
        db.execute("insert or ignore into duplicate_pairs (doc_a, doc_b, similarity, containment, method, "
                   "found_at, decision, boiler_gen, probability, model_version, reasons) "
                   "values (?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?, ?)",
                   [a, b, m.similarity, m.containment, f"{matcher}-minhash-v{FINGERPRINT_VERSION}", now, gen,
                    m.probability, sc.version, stored_reasons(f, sc, doc["text"], verifier.text_of(m.doc_id)[0])])
    if not found:
        return NewMatter(doc_id, links)
    if any(m.status == "resolved" for m in found):
        return Resubmission(doc_id, tuple(found), links)
    return SameMatter(doc_id, tuple(found), links)


def _model_match(other: dict, doc: dict, f: PairFeatures, sc: model.Score, weights: model.Weights) -> Match | None:
    """The model's decision on a scored candidate (the very same text is a copy whatever it says)."""
    if other["text_sha256"] != doc["text_sha256"] and not model.is_match(sc, weights):
        return None
    return Match(other["doc_id"], round(f.jaccard, 3), round(f.containment, 3), other["status"],
                 other["resolved_at"], other["case_ref"])


# Proposals are re-checked when the boilerplate is relearned from an index this many times
# larger than at the last re-check (template weights settle as the index grows; each
# re-check verifies every undecided proposal made under older boilerplate) ...
RECHECK_GROWTH = 2.0
# ... a few at a time, so that no document waits for them all (at 16k documents all at once
# stopped the ingester for two seconds): one with every this many documents matched (a
# re-check costs about as much as matching a document; one in four took 13% of a saturated
# ingester), the rest whenever the ingester is idle.
RECHECK_EVERY = 16


def _recheck_due(db: sqlite_utils.Database) -> bool:
    return boilerplate.learned_from(db) >= RECHECK_GROWTH * boilerplate.state(db, "recheck_docs")


def recheck_pending(db: sqlite_utils.Database) -> bool:
    """True while a re-check of proposals is under way (see :func:`recheck_proposed`)."""
    return boilerplate.state(db, "recheck_pending") > 0


def recheck_proposed(db: sqlite_utils.Database, *, limit: int | None = None,
                     budget_s: float | None = None) -> bool:
    """Re-verify undecided proposals made under older boilerplate; withdraw those the letters
    now contradict (other ID-card numbers, another number or date: ``EVIDENCE``).

    A young index has not yet learned its templates, so its first proposals lean on shared
    template sentences. Operators' decisions are never touched. With ``limit`` or ``budget_s``
    (seconds) the re-check stops after that many proposals or that long (at least one
    proposal is re-checked) and goes on at the next call. Returns True while some are left.
    """
    gen = boilerplate.generation(db)
    boiler = boilerplate.current(db)
    deadline = None if budget_s is None else time.perf_counter() + budget_s
    for done, (a, b) in enumerate(_stale_proposals(db, gen)):
        if done and ((limit is not None and done >= limit) or (deadline is not None and time.perf_counter() >= deadline)):
            return True
        other = fetch_rows(db, _DETAIL_SQL + " where doc_id = ?", [b])
        method, stored = db.execute("select method, reasons from duplicate_pairs where doc_a = ? and doc_b = ?",
                                    [a, b]).fetchone()
        rescored = None
        try:
            if (method or "").startswith("model"):
                ok, rescored = _recheck_scored(db, a, other[0], boiler, stored) if other else (False, None)
            else:
                # A copy is never lost because its shared phrasing became boilerplate: only a
                # contradiction (``EVIDENCE``) withdraws it, found from either letter's side as
                # at arrival the later letter was checked against the earlier.
                ok = bool(other) and not (_contradicts(db, a, other[0], boiler) and _contradicts(
                    db, b, fetch_rows(db, _DETAIL_SQL + " where doc_id = ?", [a])[0], boiler))
        except KeyError:  # the document is gone
            ok = False
        except Exception:  # noqa: BLE001 — the proposal stays for the operator; the re-check goes on
            log.exception("could not re-check a duplicate proposal; kept as proposed")
            ok = True
        if rescored is not None:
            db.execute("update duplicate_pairs set probability = ?, model_version = ?, reasons = ? "
                       "where doc_a = ? and doc_b = ?", [*rescored, a, b])
        if ok:
            db.execute("update duplicate_pairs set boiler_gen = ? where doc_a = ? and doc_b = ?", [gen, a, b])
        else:
            db.execute("update duplicate_pairs set decision = 'withdrawn', decided_by = 'system', "
                       "decided_at = ?, boiler_gen = ? where doc_a = ? and doc_b = ?", [_now(), gen, a, b])
    boilerplate.set_state(db, "recheck_docs", boilerplate.learned_from(db))
    boilerplate.set_state(db, "recheck_pending", 0)
    return False


def _contradictions(f: PairFeatures) -> set[str]:
    """What in a pair's features contradicts "one matter" whatever the boilerplate: other
    ID-card numbers, the matters' numbers and dates all differing, a sentence giving another number."""
    out = {name for name in ("numbers_all_differ", "other_number") if model.LEVELS[name](f)}
    return out | ({"id_different"} if f.id_relation == "different" else set())


def _recheck_scored(db: sqlite_utils.Database, a: str, other: dict, boiler: boilerplate.Weights,
                    stored: str | None) -> tuple[bool, tuple[float, str, str]]:
    """Re-score a model proposal under the current boilerplate: kept unless it no longer passes
    and a contradiction its stored explanation did not name is found now."""
    verifier = Verifier(db, _load(db, a), boiler)
    f = verifier.features(other)
    sc = model.score(f)
    before = _contradictions(PairFeatures(**json.loads(stored)["features"])) if stored else set()
    ok = model.is_match(sc) or not (_contradictions(f) - before)
    return ok, (round(sc.probability, 4), sc.version,
                stored_reasons(f, sc, verifier.doc["text"], verifier.text_of(other["doc_id"])[0]))


def _contradicts(db: sqlite_utils.Database, doc_id: str, other: dict, boiler: boilerplate.Weights) -> bool:
    verifier = Verifier(db, _load(db, doc_id), boiler)
    return verifier.check(other) is None and verifier.reason in EVIDENCE


def finish_recheck(db: sqlite_utils.Database) -> None:
    """Re-check what is left of older proposals at once, in one transaction (what the ingester
    does in its idle time, for callers that have none: ``hub import``, the benchmark)."""
    if recheck_pending(db):
        with db.conn:
            recheck_proposed(db)


_STALE_READ = 16  # proposals read per query by _stale_proposals


def _stale_proposals(db: sqlite_utils.Database, gen: int) -> Iterator[tuple[str, str]]:
    """Undecided proposals made under a generation older than ``gen``, read a few at a time: the
    caller stamps each one it re-checks, which takes it out of the next read."""
    while True:
        stale = db.execute("select doc_a, doc_b from duplicate_pairs where decision = 'proposed' and boiler_gen < ? "
                           "limit ?", [gen, _STALE_READ]).fetchall()
        yield from stale
        if len(stale) < _STALE_READ:
            return


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
