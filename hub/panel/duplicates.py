"""Screen ``duplicates``: the review queue of proposed pairs, each pair side by side, decisions recorded.

Nothing is merged or deleted: an operator confirms or rejects; a rejected pair is never
proposed again; every decision is kept with who and when (``duplicate_decisions``).
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hub.dedup.review import DECISIONS, history, passages
from hub.dedup.review import decide as record_decision
from hub.panel.auth import safe_next
from hub.panel.db import get_db
from hub.panel.documents import first_lines
from hub.panel.strings import t

log = logging.getLogger(__name__)
bp = Blueprint("duplicates", __name__)

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
    if not record_decision(get_db(), doc_a, doc_b, decision, by=g.user["username"],
                           note=request.form.get("note", "")[:500]):
        abort(404)
    log.info("pair %s/%s marked %s by %s", doc_a, doc_b, decision, g.user["username"])
    flash(t("dup.saved"), "ok")
    return redirect(back)


@bp.route("/duplicates/<doc_a>/<doc_b>")
def pair(doc_a: str, doc_b: str) -> str:
    """Two documents side by side, the passages they share highlighted, with the decision buttons."""
    a, b = sorted((doc_a, doc_b))
    db = get_db()
    rows = list(db.query("select * , coalesce(decision, 'proposed') as decision from duplicate_pairs "
                         "where doc_a = ? and doc_b = ?", [a, b]))
    if not rows:
        abort(404)
    docs = {r["doc_id"]: dict(r) for r in db.query(
        "select doc_id, text, source, device_id, source_name, received_at, status, resolved_at, case_ref "
        "from documents where doc_id in (?, ?)", [a, b])}
    if a not in docs or b not in docs:
        abort(404)
    seg_a, seg_b = passages(docs[a]["text"] or "", docs[b]["text"] or "")
    return render_template("duplicates/pair.html", pair=rows[0], a=docs[a], b=docs[b], seg_a=seg_a,
                           seg_b=seg_b, history=history(db, a, b))
