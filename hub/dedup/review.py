"""Operator review of proposed pairs: decisions with who and when, matters (groups of copies)
reviewed at once, the reasons a pair was proposed, and the passages two letters share."""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import sqlite_utils
from markupsafe import Markup, escape

from edge.fingerprint.minhash import SHINGLE
from edge.fingerprint.normalize import _STRIP
from hub.cases import assign, join_case_of, new_case_ref
from hub.index.db import immediate, marks

DECISIONS = ("confirmed", "rejected")
MIN_RUN = 12  # folded characters: shorter shared runs are chance (a word, a number)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _record(db: sqlite_utils.Database, a: str, b: str, decision: str, by: str, at: str, note: str) -> bool:
    cur = db.execute("update duplicate_pairs set decision = ?, decided_by = ?, decided_at = ? "
                     "where doc_a = ? and doc_b = ?", [decision, by, at, a, b])
    if cur.rowcount == 0:
        return False
    db["duplicate_decisions"].insert({"doc_a": a, "doc_b": b, "decision": decision, "decided_by": by,
                                      "decided_at": at, "note": note})
    return True


def decide(db: sqlite_utils.Database, doc_a: str, doc_b: str, decision: str, *, by: str,
           note: str = "") -> bool:
    """Record ``decision`` on a pair (latest on the pair, every one in ``duplicate_decisions``); False if no such pair.

    A confirmed pair where only one document belongs to a case brings the other into that
    case; a rejected pair is never proposed again (matching skips it).
    """
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}")
    a, b = sorted((doc_a, doc_b))
    with db.conn:
        if not _record(db, a, b, decision, by, _now(), note):
            return False
        if decision == "confirmed":
            join_case_of(db, a, b, by=by)
    return True


def history(db: sqlite_utils.Database, doc_a: str, doc_b: str) -> list[dict]:
    """Every decision on the pair, oldest first."""
    a, b = sorted((doc_a, doc_b))
    return [dict(r) for r in db.query("select decision, decided_by, decided_at, note from duplicate_decisions "
                                      "where doc_a = ? and doc_b = ? order by id", [a, b])]


# -- matters: connected proposed pairs reviewed as one item ---------------------------------


@dataclass
class Group:
    """Documents joined by pairs still awaiting a decision (one matter, several copies)."""

    docs: list[str]
    pairs: list[tuple[str, str, float]] = field(default_factory=list)  # (doc_a, doc_b, similarity)

    @property
    def best(self) -> float:
        """The highest similarity among its pairs (the queue works the surest first)."""
        return max((s for _, _, s in self.pairs), default=0.0)


def pending_groups(db: sqlite_utils.Database) -> list[Group]:
    """Every group of documents linked by proposed pairs, surest first (then by first document)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # The model's match probability orders the queue; pairs proposed before it by their similarity.
    pairs = db.execute("select doc_a, doc_b, coalesce(probability, similarity) from duplicate_pairs "
                       "where decision = 'proposed'").fetchall()
    for a, b, _ in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, Group] = {}
    for a, b, s in pairs:
        groups.setdefault(find(a), Group([])).pairs.append((a, b, s or 0.0))
    for x in parent:
        groups[find(x)].docs.append(x)
    out = list(groups.values())
    for g in out:
        g.docs.sort()
    out.sort(key=lambda g: (-g.best, g.docs[0]))
    return out


def pending_count(db: sqlite_utils.Database) -> int:
    """How many matters await review (what the menu shows)."""
    return len(pending_groups(db))


def _proposed_among(db: sqlite_utils.Database, docs: list[str]) -> list[tuple[str, str]]:
    return db.execute(f"select doc_a, doc_b from duplicate_pairs where decision = 'proposed' and doc_a in "
                      f"({marks(docs)}) and doc_b in ({marks(docs)})", [*docs, *docs]).fetchall()


def confirm_group(db: sqlite_utils.Database, docs: list[str], *, by: str, note: str = "") -> str | None:
    """Confirm every proposed pair among ``docs`` and put them all in one case; return the case number.

    The case is the one a document already belongs to (the oldest such document's when
    several do; documents of other cases keep theirs), else a new ``HS-YYYY/NNNN``.
    """
    docs = sorted(set(docs))
    # The write lock from the start: two operators confirming at once never take one number.
    with immediate(db):
        pairs = _proposed_among(db, docs)
        if not pairs:
            return None
        at = _now()
        for a, b in pairs:
            _record(db, a, b, "confirmed", by, at, note)
        # Only letters a confirmed pair joins enter the case (never one merely listed).
        docs = sorted({d for pair in pairs for d in pair})
        rows = db.execute(f"select doc_id, case_ref from documents where doc_id in ({marks(docs)}) "
                          "order by received_at, doc_id", docs).fetchall()
        refs = [r for _, r in rows if r]
        ref = refs[0] if refs else new_case_ref(db, by=by)
        for doc_id, own in rows:
            if not own:
                assign(db, doc_id, ref, by=by, via="review")
    return ref


def split_out(db: sqlite_utils.Database, doc_id: str, docs: list[str], *, by: str, note: str = "") -> int:
    """Reject the proposed pairs between ``doc_id`` and the other ``docs``; return how many."""
    others = sorted(set(docs) - {doc_id})
    with db.conn:
        at = _now()
        n = 0
        for a, b in _proposed_among(db, [doc_id, *others]):
            if doc_id in (a, b):
                n += _record(db, a, b, "rejected", by, at, note)
    return n


# -- why a pair was proposed ----------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One reason a pair was proposed: a code the panel words (``reason.<code>``), its figures,
    or a sentence already worded (a model's own explanation)."""

    code: str
    params: dict = field(default_factory=dict)
    text: str = ""


def _keys(value: str | None) -> set[str]:
    try:
        return set(json.loads(value or "[]"))
    except (TypeError, ValueError):
        return set()


def _worded(value: object) -> list[Reason]:
    """Reasons a match model stored with the pair (JSON: sentences, or objects with ``text``)."""
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return []
    if not isinstance(items, list):
        return []
    texts = [i if isinstance(i, str) else (i.get("text") or i.get("reason_vi") or "") if isinstance(i, dict) else ""
             for i in items]
    return [Reason("model", text=t) for t in texts if t]


def explain(pair: dict, doc_a: dict | None = None, doc_b: dict | None = None) -> list[Reason]:
    """The reasons a pair was proposed, strongest first, from what the pair and its documents hold.

    The one place the panel asks "why": a match model that stores its own contributions can
    answer here without any screen changing.
    """
    a, b = doc_a or {}, doc_b or {}
    shared = sorted(_keys(a.get("identity_keys")) & _keys(b.get("identity_keys")))
    if pair.get("reasons"):  # scored by the match model: its own contributions, in words
        from hub.dedup.reasons import explain as model_reasons

        kinds = {key.partition(":")[0] for key in shared}
        out = []
        for r in model_reasons(pair):
            if (r.code == "id" and kinds & {"cccd", "cmnd"}) or (r.code == "phone" and "phone" in kinds):
                # The same number on both letters: named with the number itself, below.
                continue
            out.append(Reason("model", text=r.text[:1].upper() + r.text[1:]))
        out += _key_reasons(shared)
        if pair.get("model_version"):
            out.append(Reason("model", text=f"Đề xuất bởi mô hình {pair['model_version']}"
                              + (f", xác suất {float(pair['probability']):.0%}"
                                 if pair.get("probability") is not None else "")))
        return out
    worded = _worded(pair.get("explanation"))
    if worded:
        return worded
    sim, cont = pair.get("similarity") or 0.0, pair.get("containment") or 0.0
    if (a.get("text_sha256") and a.get("text_sha256") == b.get("text_sha256")) or sim >= 0.999:
        out = [Reason("same_text")]
    else:
        out = [Reason("similar", {"pct": round(sim * 100)})]
        if cont - sim >= 0.1:
            out.append(Reason("contained", {"pct": round(cont * 100)}))
    return out + _key_reasons(shared)


def _key_reasons(shared: list[str]) -> list[Reason]:
    """One reason per identity key both letters carry (``cccd:…``, ``phone:…``), with its value."""
    out = []
    for key in shared:
        kind, _, value = key.partition(":")
        out.append(Reason(f"key_{kind}" if kind in ("cccd", "cmnd", "phone") else "key_other", {"value": value}))
    return out


# -- the passages two letters share ---------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A piece of a document's text; ``shared`` when the other document has it too."""

    text: str
    shared: bool


def _fold_char(ch: str) -> str:
    return "".join(c for c in ch.translate(_STRIP).casefold() if c.isascii() and c.isalnum())


def _codes(text: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The code points of ``text``, the index of each in its sorted distinct ones, and those ones."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    uniq, inverse = np.unique(codes, return_inverse=True)
    return codes, inverse, [chr(u) for u in uniq]


def _folded(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For NFC ``text``: its fingerprint form (ASCII codes), the index in ``text`` each came
    from, and which characters of ``text`` belong to words."""
    _, inverse, chars = _codes(text)
    folds = [_fold_char(c) for c in chars]
    table = {ord(c): f for c, f in zip(chars, folds, strict=True)}
    folded = np.frombuffer(text.translate(table).encode("ascii"), dtype=np.uint8)
    lengths = np.array([len(f) for f in folds], dtype=np.int64)[inverse]
    where = np.repeat(np.arange(len(text), dtype=np.int64), lengths)
    wordy = np.array([c.isalnum() or c == "_" for c in chars], dtype=bool)[inverse]
    return folded, where, wordy


def _shingles(folded: np.ndarray) -> np.ndarray:
    """Each run of ``SHINGLE`` folded characters as one integer (5 bytes fit in 64 bits)."""
    n = len(folded) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    out = np.zeros(n, dtype=np.uint64)
    for k in range(SHINGLE):
        out = (out << np.uint64(8)) | folded[k:k + n].astype(np.uint64)
    return out


def passages(text_a: str, text_b: str) -> tuple[list[Segment], list[Segment]]:
    """Both texts cut into segments, the passages they share (ignoring marks, case, spacing) marked.

    Shared runs are shown by whole words: a word counts as shared only when all of it is
    (``ngày 29`` against ``ngày 28`` shows the day as a difference, never half of it).
    Linear in the length of the texts (array operations, no string built a character at a
    time): two 580 KB letters take a fraction of a second.
    """
    text_a, text_b = unicodedata.normalize("NFC", text_a), unicodedata.normalize("NFC", text_b)
    fa, wa, ma = _folded(text_a)
    fb, wb, mb = _folded(text_b)
    # Every shared run is shown, form phrases included: the operator reads whole sentences,
    # and a phrase cut out of the middle of one would look like a difference.
    ga, gb = _shingles(fa), _shingles(fb)
    common = np.intersect1d(ga, gb)
    return (_segments(text_a, len(fa), wa, ma, np.isin(ga, common)),
            _segments(text_b, len(fb), wb, mb, np.isin(gb, common)))


def _segments(text: str, n_folded: int, where: np.ndarray, wordy: np.ndarray, hit: np.ndarray) -> list[Segment]:
    marked = np.zeros(n_folded + 1, dtype=np.int64)
    if hit.any():
        # Runs of consecutive shared shingles; a run of k shingles covers k + SHINGLE - 1 characters.
        edges = np.diff(np.concatenate(([0], hit.astype(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        keep = ends - starts + SHINGLE - 1 >= MIN_RUN
        np.add.at(marked, starts[keep], 1)
        np.add.at(marked, ends[keep] + SHINGLE - 1, -1)
    covered = np.cumsum(marked)[:n_folded] > 0
    shared = np.zeros(len(text) + 1, dtype=np.int64)
    counted = np.zeros(len(text) + 1, dtype=np.int64)
    np.add.at(shared, where[covered] + 1, 1)
    np.add.at(counted, where + 1, 1)
    shared_cs, counted_cs = np.cumsum(shared), np.cumsum(counted)
    # Words: maximal runs of word characters. A word is shared when every folded character of
    # it is; consecutive shared words join into one passage with what lies between them
    # (spaces, punctuation: no word there, by construction).
    w = np.concatenate(([False], wordy, [False])).astype(np.int8)
    edges = np.diff(w)
    ws, we = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    total = counted_cs[we] - counted_cs[ws]
    full = (total > 0) & (shared_cs[we] - shared_cs[ws] == total)
    run = np.diff(np.concatenate(([0], full.astype(np.int8), [0])))
    rs, re_ = np.flatnonzero(run == 1), np.flatnonzero(run == -1) - 1
    segs: list[Segment] = []
    pos = 0
    for s, e in zip(ws[rs].tolist(), we[re_].tolist(), strict=True):
        if s > pos:
            segs.append(Segment(text[pos:s], False))
        segs.append(Segment(text[s:e], True))
        pos = e
    if pos < len(text) or not segs:
        segs.append(Segment(text[pos:], False))
    return segs


def highlighted(segs: list[Segment]) -> Markup:
    """The segments as escaped HTML, shared ones in ``<mark>`` (built with one join)."""
    return Markup("").join(Markup("<mark>%s</mark>") % s.text if s.shared else escape(s.text) for s in segs)


def confirmed_copies(db: sqlite_utils.Database, doc_id: str) -> set[str]:
    """The documents joined to ``doc_id`` by confirmed pairs, directly or through others (not itself)."""
    seen, todo = {doc_id}, [doc_id]
    while todo:
        d = todo.pop()
        for (other,) in db.execute("select doc_b from duplicate_pairs where doc_a = ? and decision = 'confirmed' "
                                   "union select doc_a from duplicate_pairs where doc_b = ? and decision = 'confirmed'",
                                   [d, d]):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen - {doc_id}
