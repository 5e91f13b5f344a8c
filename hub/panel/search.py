"""Screen ``search``: full-text search over the index, diacritics and case ignored for finding,
used for ranking and highlighting.

Letters with the query's phrase as typed (accents included) come first, then those with its
words as typed, then the rest by the index's relevance; a reference number (``K01-081226-0007``)
or case number finds its letter first. Only whole words are highlighted, and only those of the
best kind of match the letter has: a name search for "Ánh" marks "Ánh" in "Nguyễn Thị Ánh",
not the "ÁNH" of "PHẢN ÁNH", when the letter has both.
"""
from __future__ import annotations

import functools
import math
import re

from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup, escape

from edge.fingerprint.normalize import fold, nfc, strip_diacritics
from hub.index.db import marks
from hub.index.search import fts_query
from hub.panel import doclist
from hub.panel.db import get_db

bp = Blueprint("search", __name__)

RERANK = 200  # the index's best this many are re-ranked by exact accents and phrase
# A query matching more letters than this (common words) lists them newest first within each
# kind of match: relevance over tens of thousands of matches costs a quarter of a second at
# 100,000 letters and says little when most letters hold the words. A product decision.
BROAD = 5000
_WORD = re.compile(r"\w+")


def _plain_table() -> dict[int, str]:
    """Lower case without marks, one character for one (so positions in the plain form are
    positions in the text), for every Latin letter Vietnamese uses."""
    table = {}
    for cp in (*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        ch = chr(cp)
        plain = strip_diacritics(ch).lower()
        if plain != ch and len(plain) == 1:
            table[cp] = plain
    return table


_PLAIN = _plain_table()


def _phrase(words: list[str]) -> str:
    body = r"\W+".join(re.escape(w) for w in words)
    return rf"(?<!\w){body}(?!\w)"


@functools.lru_cache(maxsize=64)
def _tries(query: str) -> tuple[tuple[int, re.Pattern, bool], ...]:
    """The patterns of each kind of match for ``query``, best first (tier, pattern, on plain text)."""
    q = _WORD.findall(nfc(query))
    if not q:
        return ()
    qp = [strip_diacritics(w).lower() for w in q]
    tries = []
    if len(q) > 1:
        tries += [(0, re.compile(_phrase(q), re.IGNORECASE), False), (1, re.compile(_phrase(qp)), True)]
    words = "|".join(re.escape(w) for w in sorted(set(q), key=len, reverse=True))
    plain_words = "|".join(re.escape(w) for w in sorted(set(qp), key=len, reverse=True))
    tries += [(2, re.compile(rf"(?<!\w)(?:{words})(?!\w)"), False),
              (3, re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE), False),
              (4, re.compile(rf"(?<!\w)(?:{plain_words})(?!\w)"), True),
              (5, re.compile(rf"(?<!\w){re.escape(qp[-1])}\w*"), True)]
    return tuple(tries)


def match_tiers(text: str, query: str, *, spans: bool = True) -> tuple[int, list[tuple[int, int]]]:
    """How well ``text`` matches ``query`` (0 best … 5; 6 none) and the spans of that best kind.

    0 the phrase as typed (accents kept, case ignored); 1 the phrase without accents; 2 a word
    as typed, case included; 3 a word with its accents; 4 a word without accents; 5 a word
    starting with the last query word (the operator may still be typing it). Whole words only.
    ``spans=False`` finds the tier alone (for ranking), which stops at the first match.
    """
    tries = _tries(query)
    if not tries or not text:
        return 6, []
    plain = None
    for tier, pattern, on_plain in tries:
        if on_plain and plain is None:
            plain = text.translate(_PLAIN)
        haystack = plain if on_plain else text
        if not spans:
            if pattern.search(haystack):
                return tier, []
            continue
        found = [m.span() for m in pattern.finditer(haystack)]
        if found:
            return tier, found
    return 6, []


def rank_tier(text: str | None, folded: str | None, query: str) -> int:
    """The tier of :func:`match_tiers`, found cheaply for ranking: the folded kinds are read from
    the index's search form of the letter, and a kind as typed is tried only where its folded
    kind holds (an accent-exact phrase is a folded phrase too)."""
    tokens = fold(query).split()
    if not tokens or not text:
        return 6
    hay = f" {folded or fold(text)} "
    tries = {tier: pattern for tier, pattern, _ in _tries(query)}
    if len(tokens) > 1 and f" {' '.join(tokens)} " in hay:
        return 0 if 0 in tries and tries[0].search(text) else 1
    if any(f" {t} " in hay for t in tokens):
        if tries[2].search(text):
            return 2
        return 3 if tries[3].search(text) else 4
    return 5 if f" {tokens[-1]}" in hay else 6


def snippet(text: str, spans: list[tuple[int, int]], *, width: int = 220) -> Markup:
    """A window of ``text`` around its first matched span, the spans in ``<mark>``."""
    if not spans:
        cut = text[:width]
        return escape(cut) + (Markup(" …") if len(text) > width else Markup(""))
    start = max(0, spans[0][0] - width // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = min(len(text), start + width)
    if end < len(text):
        end = max(text.rfind(" ", start, end), spans[0][1])
    parts: list[Markup] = [Markup("… ")] if start else []
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts += [escape(text[pos:s]), Markup("<mark>%s</mark>") % text[s:e]]
        pos = e
    parts.append(escape(text[pos:end]))
    if end < len(text):
        parts.append(Markup(" …"))
    return Markup("").join(parts)


def _by_reference(db, q: str) -> list[str]:  # noqa: ANN001
    key = q.strip()
    # Equality on indexed columns only (references and case numbers are stored upper case).
    ids = [d for (d,) in db.execute("select doc_id from documents where reference in (?, ?) union "
                                    "select doc_id from documents where doc_id = ? union "
                                    "select doc_id from documents where case_ref in (?, ?) limit 50",
                                    [key, key.upper(), key.lower(), key, key.upper()])]
    short = re.fullmatch(r"#?([0-9a-fA-F]{8})", key)
    if short:
        ids += [d for (d,) in db.execute("select doc_id from documents where doc_id like ? limit 5",
                                         [short.group(1).lower() + "%"]) if d not in ids]
    return ids


def run(db, q: str, *, page: int, size: int) -> tuple[list[dict], int]:  # noqa: ANN001
    """One page of results for ``q`` and the true total."""
    match = fts_query(q)
    refs = _by_reference(db, q)
    total = len(refs)
    if match:
        total += db.execute("select count(*) from documents_fts where documents_fts match ?", [match]).fetchone()[0]
        if refs:  # a letter found by its number whose text matches too is one result, not two
            total -= db.execute(
                "select count(*) from documents_fts join documents d on d.rowid = documents_fts.rowid "
                f"where documents_fts match ? and d.doc_id in ({marks(refs)})", [match, *refs]).fetchone()[0]
    offset = (page - 1) * size
    order = "documents_fts.rowid desc" if total > BROAD else "rank"
    if offset < RERANK:
        top = [d for (d,) in db.execute(
            "select d.doc_id from documents_fts join documents d on d.rowid = documents_fts.rowid "
            f"where documents_fts match ? order by {order} limit ?", [match, RERANK])] if match else []
        texts = {d: (t, f) for d, t, f in db.execute(
            f"select doc_id, text, text_fold from documents where doc_id in ({marks(top)})", top)} if top else {}
        scored = [(rank_tier(*texts.get(d, ("", "")), q), i, d) for i, d in enumerate(top) if d not in refs]
        ordered = refs + [d for _, _, d in sorted(scored)]
        ids = ordered[offset:offset + size]
        if len(ids) < size and len(ordered) >= RERANK:
            ids += _fts_page(db, match, RERANK, size - len(ids), order=order, exclude=set(refs))
    else:
        ids = _fts_page(db, match, offset - len(refs), size, order=order, exclude=set(refs))
    if not ids:
        return [], total
    rows = {r["doc_id"]: dict(r) for r in db.query(doclist.SELECT + f" where d.doc_id in ({marks(ids)})", ids)}
    texts = dict(db.execute(f"select doc_id, text from documents where doc_id in ({marks(ids)})", ids))
    out = doclist.decorate(db, [rows[d] for d in ids if d in rows])
    for r in out:
        text = nfc(texts.get(r["doc_id"]) or "")
        tier, spans = match_tiers(text, q)
        r["reference_hit"] = r["doc_id"] in refs
        r["snippet_html"] = snippet(text, spans)
        r["tier"] = tier
    return out, total


def _fts_page(db, match: str, offset: int, limit: int, *, order: str, exclude: set[str]) -> list[str]:  # noqa: ANN001
    if not match or limit <= 0:
        return []
    rows = db.execute("select d.doc_id from documents_fts join documents d on d.rowid = documents_fts.rowid "
                      f"where documents_fts match ? order by {order} limit ? offset ?", [match, limit, max(0, offset)])
    return [d for (d,) in rows if d not in exclude]


@bp.route("/search")
def index() -> str:
    """Search form and one page of results (``?q=&page=``) with the true number of matches."""
    q = request.args.get("q", "").strip()[:200]
    results: list[dict] = []
    total, page, pages = 0, 1, 1
    if q:
        size = int(current_app.config["PAGE_SIZE"])
        page = max(1, request.args.get("page", 1, type=int) or 1)
        results, total = run(get_db(), q, page=page, size=size)
        pages = max(1, math.ceil(total / size))
        if page > pages:
            page = pages
            results, total = run(get_db(), q, page=page, size=size)
    return render_template("search/index.html", q=q, results=results, total=total, page=page, pages=pages)
