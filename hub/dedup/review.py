"""Operator review of proposed pairs: decisions with who and when, and the passages two letters share."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from edge.fingerprint.minhash import SHINGLE
from edge.fingerprint.normalize import _STRIP

DECISIONS = ("confirmed", "rejected")
MIN_RUN = 12  # folded characters: shorter shared runs are chance (a word, a number)


def decide(db: sqlite_utils.Database, doc_a: str, doc_b: str, decision: str, *, by: str,
           note: str = "") -> bool:
    """Record ``decision`` on a pair (latest on the pair, every one in ``duplicate_decisions``); False if no such pair.

    A confirmed pair where only one document belongs to a case brings the other into that
    case; a rejected pair is never proposed again (matching skips it).
    """
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}")
    a, b = sorted((doc_a, doc_b))
    at = datetime.now(UTC).isoformat(timespec="seconds")
    with db.conn:
        cur = db.execute("update duplicate_pairs set decision = ?, decided_by = ?, decided_at = ? "
                         "where doc_a = ? and doc_b = ?", [decision, by, at, a, b])
        if cur.rowcount == 0:
            return False
        db["duplicate_decisions"].insert({"doc_a": a, "doc_b": b, "decision": decision, "decided_by": by,
                                          "decided_at": at, "note": note})
        if decision == "confirmed":
            from hub.cases import join_case_of

            join_case_of(db, a, b, by=by)
    return True


def history(db: sqlite_utils.Database, doc_a: str, doc_b: str) -> list[dict]:
    """Every decision on the pair, oldest first."""
    a, b = sorted((doc_a, doc_b))
    return [dict(r) for r in db.query("select decision, decided_by, decided_at, note from duplicate_decisions "
                                      "where doc_a = ? and doc_b = ? order by id", [a, b])]


@dataclass(frozen=True)
class Segment:
    """A piece of a document's text; ``shared`` when the other document has it too."""

    text: str
    shared: bool


def _folded(text: str) -> tuple[str, list[int]]:
    """Fingerprint form of ``text`` and, for each of its characters, the index it came from."""
    out, where = [], []
    for i, ch in enumerate(unicodedata.normalize("NFC", text)):
        for c in ch.translate(_STRIP).casefold():
            if c.isascii() and c.isalnum():
                out.append(c)
                where.append(i)
    return "".join(out), where


def passages(text_a: str, text_b: str) -> tuple[list[Segment], list[Segment]]:
    """Both texts cut into segments, the passages they share (ignoring marks, case, spacing) marked."""
    fa, wa = _folded(text_a)
    fb, wb = _folded(text_b)
    # Every shared run is shown, form phrases included: the operator reads whole sentences,
    # and a phrase cut out of the middle of one would look like a difference.
    def grams(f: str) -> set[str]:
        return {f[i:i + SHINGLE] for i in range(len(f) - SHINGLE + 1)}

    common = grams(fa) & grams(fb)
    return _segments(text_a, fa, wa, common), _segments(text_b, fb, wb, common)


def _segments(text: str, folded: str, where: list[int], common: set[str]) -> list[Segment]:
    text = unicodedata.normalize("NFC", text)
    marked = [False] * len(folded)
    i = 0
    while i <= len(folded) - SHINGLE:
        if folded[i:i + SHINGLE] in common:
            j = i
            while j <= len(folded) - SHINGLE and folded[j:j + SHINGLE] in common:
                j += 1
            if j - i + SHINGLE - 1 >= MIN_RUN:
                for k in range(i, j + SHINGLE - 1):
                    marked[k] = True
            i = j
        else:
            i += 1
    shared_chars = [False] * len(text)
    for k, m in enumerate(marked):
        if m:
            shared_chars[where[k]] = True
    # Spaces and punctuation between two shared characters are shared too.
    last = None
    for i, s in enumerate(shared_chars):
        if s:
            if last is not None and i - last > 1 and all(not text[x].isalnum() for x in range(last + 1, i)):
                for x in range(last + 1, i):
                    shared_chars[x] = True
            last = i
    segs: list[Segment] = []
    for ch, s in zip(text, shared_chars, strict=True):
        if segs and segs[-1].shared == s:
            segs[-1] = Segment(segs[-1].text + ch, s)
        else:
            segs.append(Segment(ch, s))
    return segs
