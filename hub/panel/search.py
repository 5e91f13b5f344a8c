"""Screen ``search``: full-text search over the index, diacritics and case ignored."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from markupsafe import Markup, escape

from edge.fingerprint.normalize import fold
from hub.index.db import marks
from hub.index.search import search as search_index
from hub.panel.db import get_db
from hub.panel.documents import first_lines

bp = Blueprint("search", __name__)

LIMIT = 50


def highlight(snippet: str | None) -> Markup:
    """Escape a snippet and turn the index's ``[match]`` markers into ``<mark>``.

    The snippet comes from the folded text, which holds only ``[0-9a-z ]``, so any
    bracket in it is a marker and never petition content.
    """
    safe = str(escape(snippet or ""))
    return Markup(safe.replace("[", "<mark>").replace("]", "</mark>"))


def snippet_original(text: str | None, query: str, *, words: int = 10) -> Markup | None:
    """Snippet of the text as read (with diacritics), matched words in ``<mark>``; ``None`` if none match.

    Each word is folded the way the index folds, so "khieu nai" marks "khiếu nại"; the
    last query token matches as a prefix, like the index query.
    """
    tokens = fold(query).split()
    if not tokens or not text:
        return None
    full, prefix = set(tokens[:-1]), tokens[-1]
    parts = text.split()

    def hit(word: str) -> bool:
        return any(f in full or f.startswith(prefix) for f in fold(word).split())

    hits = [i for i, w in enumerate(parts) if hit(w)]
    if not hits:
        return None
    start = max(0, hits[0] - words // 3)
    window = parts[start:start + words + len(tokens)]
    shown = [Markup("<mark>%s</mark>") % w if hit(w) else escape(w) for w in window]
    lead = "… " if start > 0 else ""
    tail = " …" if start + len(window) < len(parts) else ""
    return Markup(lead) + Markup(" ").join(shown) + Markup(tail)


@bp.route("/search")
def index() -> str:
    """Search form and results (``?q=``)."""
    q = request.args.get("q", "").strip()[:200]
    results: list[dict] = []
    if q:
        db = get_db()
        results = search_index(db, q, limit=LIMIT)
        if results:
            ids = [r["doc_id"] for r in results]
            texts = {
                r["doc_id"]: r["text"]
                for r in db.query(f"select doc_id, text from documents where doc_id in ({marks(ids)})", ids)
            }
            for r in results:
                text = texts.get(r["doc_id"], "")
                r["first_line"] = first_lines(text)
                r["snippet_html"] = snippet_original(text, q) or highlight(r["snippet"])
    return render_template("search/index.html", q=q, results=results)
