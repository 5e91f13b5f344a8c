"""What every screen's menu and templates share: the review queue's pending count, words for
codes (kinds, match reasons)."""
from __future__ import annotations

from flask import Flask, current_app, g

from hub.dedup.review import Reason, pending_count
from hub.panel.db import get_db
from hub.panel.doclist import kind_label
from hub.panel.strings import t


def reason_text(reason: Reason) -> str:
    """A reason a pair was proposed, in words (a model's own sentence when it gave one)."""
    return reason.text or t(f"reason.{reason.code}", **reason.params)


# Grouping every proposed pair costs ~10 ms per thousand pairs; the menu shows the count on
# every page, so it is kept until the proposals or decisions change.
_CACHE: dict[str, tuple[tuple, int]] = {}


def _pending() -> int:
    if "pending_matters" not in g:
        db = get_db()
        stamp = (db.execute("select count(*), max(found_at) from duplicate_pairs where decision = 'proposed'")
                 .fetchone() + db.execute("select max(id) from duplicate_decisions").fetchone())
        key = current_app.config["DATABASE"]
        cached = _CACHE.get(key)
        if cached is None or cached[0] != stamp:
            cached = _CACHE[key] = (stamp, pending_count(db))
        g.pending_matters = cached[1]
    return g.pending_matters


def init_app(app: Flask) -> None:
    """Expose the shared functions to templates (the count is read only by a page that shows it)."""
    app.jinja_env.globals.update(kind_label=kind_label, reason_text=reason_text, pending_matters=_pending)
