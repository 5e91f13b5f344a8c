"""Screen ``duplicates``: proposed duplicate pairs, confirmed or rejected by an operator (nothing is deleted)."""
from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hub.panel.auth import safe_next
from hub.panel.db import get_db
from hub.panel.documents import first_lines
from hub.panel.strings import t

log = logging.getLogger(__name__)
bp = Blueprint("duplicates", __name__)

DECISIONS = ("confirmed", "rejected")
FILTERS = ("proposed", "confirmed", "rejected", "all")
LIMIT = 100  # most similar first; an operator works the top of the list


@bp.route("/duplicates")
def index() -> str:
    """Pairs with the chosen decision (``?show=proposed`` by default), most similar first."""
    show = request.args.get("show", "proposed")
    if show not in FILTERS:
        show = "proposed"
    where = "" if show == "all" else "where coalesce(p.decision, 'proposed') = :show"
    rows = get_db().query(
        f"""
        select p.doc_a, p.doc_b, p.similarity, p.containment, p.method, p.found_at,
               coalesce(p.decision, 'proposed') as decision, p.decided_by, p.decided_at,
               substr(a.text, 1, 400) as head_a, a.received_at as received_a,
               a.doc_id is not null as exists_a,
               substr(b.text, 1, 400) as head_b, b.received_at as received_b,
               b.doc_id is not null as exists_b
        from duplicate_pairs p
        left join documents a on a.doc_id = p.doc_a
        left join documents b on b.doc_id = p.doc_b
        {where}
        order by p.similarity desc, p.found_at desc
        limit :limit
        """,
        {"show": show, "limit": LIMIT},
    )
    pairs = []
    for r in rows:
        r = dict(r)
        r["first_a"] = first_lines(r.pop("head_a"))
        r["first_b"] = first_lines(r.pop("head_b"))
        pairs.append(r)
    return render_template("duplicates/list.html", pairs=pairs, show=show, filters=FILTERS)


@bp.route("/duplicates/decide", methods=("POST",))
def decide() -> Response:
    """Record an operator's decision on one pair (``decided_by`` = the signed-in user)."""
    doc_a = request.form.get("doc_a", "")
    doc_b = request.form.get("doc_b", "")
    decision = request.form.get("decision", "")
    back = safe_next(request.form.get("next"), url_for("duplicates.index"))
    if decision not in DECISIONS:
        flash(t("dup.bad_decision"), "error")
        return redirect(back)
    db = get_db()
    with db.conn:
        cur = db.execute(
            "update duplicate_pairs set decision = ?, decided_by = ?, decided_at = ?"
            " where doc_a = ? and doc_b = ?",
            [decision, g.user["username"], datetime.now(UTC).isoformat(timespec="seconds"),
             doc_a, doc_b],
        )
    if cur.rowcount == 0:
        abort(404)
    log.info("pair %s/%s marked %s by %s", doc_a, doc_b, decision, g.user["username"])
    flash(t("dup.saved"), "ok")
    return redirect(back)
