"""Screen ``duplicates``: the review queue by matter (a group of copies is one item), the group
and each pair side by side, decisions recorded with who, when and why.

Nothing is merged or deleted: an operator confirms a group (one case for all its copies) or
splits a letter out of it (its pairs with the others rejected, never proposed again); every
decision is kept with who and when (``duplicate_decisions``).
"""
from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from hub.dedup.review import (
    DECISIONS,
    confirm_group,
    explain,
    highlighted,
    history,
    passages,
    pending_groups,
    split_out,
)
from hub.dedup.review import decide as record_decision
from hub.index.db import marks
from hub.panel import doclist
from hub.panel.auth import safe_next
from hub.panel.db import get_db
from hub.panel.paging import page_of
from hub.panel.strings import t

log = logging.getLogger(__name__)
bp = Blueprint("duplicates", __name__)

FILTERS = ("proposed", "confirmed", "rejected", "all")


def _docs(ids: list[str]) -> dict[str, dict]:
    if not ids:
        return {}
    rows = [dict(r) for r in get_db().query(doclist.SELECT + f" where d.doc_id in ({marks(ids)})", ids)]
    return {r["doc_id"]: r for r in doclist.decorate(get_db(), rows)}


@bp.route("/duplicates")
def index() -> str:
    """Awaiting review: one row per matter (group), surest first. Decided pairs: one row per pair."""
    show = request.args.get("show", "proposed")
    if show not in FILTERS:
        show = "proposed"
    db = get_db()
    if show == "proposed":
        groups = pending_groups(db)
        g.pending_matters = len(groups)  # the menu's count, already at hand
        page, pages, size = page_of(len(groups))
        shown = groups[(page - 1) * size: page * size]
        docs = _docs(sorted({d for gr in shown for d in gr.docs}))
        items = [{"i": (page - 1) * size + n, "group": gr, "docs": [docs[d] for d in gr.docs if d in docs],
                  "first_pair": max(gr.pairs, key=lambda p: p[2])} for n, gr in enumerate(shown)]
        return render_template("duplicates/list.html", show=show, filters=FILTERS, items=items, pairs=None,
                               page=page, pages=pages, total=len(groups),
                               pair_total=sum(len(gr.pairs) for gr in groups))
    where = "" if show == "all" else "where p.decision = :show"
    total = db.execute(f"select count(*) from duplicate_pairs p {where}", {"show": show}).fetchone()[0]
    page, pages, size = page_of(total)
    rows = [dict(r) for r in db.query(
        f"select p.doc_a, p.doc_b, p.similarity, p.containment, p.method, p.found_at, p.decision, p.decided_by, "
        f"p.decided_at from duplicate_pairs p {where} order by p.decided_at desc, p.similarity desc "
        "limit :limit offset :offset", {"show": show, "limit": size, "offset": (page - 1) * size})]
    docs = _docs(sorted({d for r in rows for d in (r["doc_a"], r["doc_b"])}))
    for r in rows:
        r["a"], r["b"] = docs.get(r["doc_a"]), docs.get(r["doc_b"])
    return render_template("duplicates/list.html", show=show, filters=FILTERS, items=None, pairs=rows,
                           page=page, pages=pages, total=total, pair_total=total)


@bp.route("/duplicates/review")
def review() -> str | Response:
    """The ``i``-th matter awaiting review, with its letters, why they were proposed, and the decisions."""
    groups = pending_groups(get_db())
    g.pending_matters = len(groups)
    if not groups:
        flash(t("dup.done"), "ok")
        return redirect(url_for("duplicates.index"))
    i = min(max(0, request.args.get("i", 0, type=int) or 0), len(groups) - 1)
    gr = groups[i]
    docs = _docs(gr.docs)
    pair_rows = {(r["doc_a"], r["doc_b"]): dict(r) for r in get_db().query(
        f"select * from duplicate_pairs where decision = 'proposed' and doc_a in ({marks(gr.docs)})", gr.docs)}
    full = _full_docs(gr.docs)
    pairs = []
    for a, b, s in sorted(gr.pairs, key=lambda p: -p[2]):
        row = pair_rows.get((a, b), {"doc_a": a, "doc_b": b, "similarity": s})
        pairs.append({**row, "reasons": explain(row, full.get(a), full.get(b)),
                      "title_a": docs[a]["title"] if a in docs else a, "title_b": docs[b]["title"] if b in docs else b,
                      "ref_a": docs[a]["ref"] if a in docs else "", "ref_b": docs[b]["ref"] if b in docs else ""})
    return render_template("duplicates/group.html", i=i, n=len(groups), group=gr,
                           docs=[docs[d] for d in gr.docs if d in docs], pairs=pairs)


def _full_docs(ids: list[str]) -> dict[str, dict]:
    return {r["doc_id"]: dict(r) for r in get_db().query(
        f"select doc_id, text_sha256, identity_keys from documents where doc_id in ({marks(ids)})", ids)}


@bp.route("/duplicates/group", methods=("POST",))
def decide_group() -> Response:
    """Confirm a whole group, or split one letter out of it; then the next matter in the queue."""
    docs = [d for d in request.form.getlist("doc") if d][:200]
    action = request.form.get("action", "")
    i = request.form.get("i", 0, type=int) or 0
    note = request.form.get("note", "").strip()[:500]
    user = g.user["username"]
    db = get_db()
    if len(docs) < 2 or action not in ("confirm", "split"):
        flash(t("dup.bad_decision"), "error")
    elif action == "confirm":
        ref = confirm_group(db, docs, by=user, note=note)
        if ref is None:
            flash(t("dup.group_gone"), "error")
        else:
            log.info("group of %d documents confirmed by %s", len(docs), user)
            flash(t("dup.group_saved", n=len(docs), case=ref), "ok")
    else:
        out = request.form.get("split", "")
        if out not in docs or not split_out(db, out, docs, by=user, note=note):
            flash(t("dup.group_gone"), "error")
        else:
            log.info("document split out of a group by %s", user)
            flash(t("dup.split_saved"), "ok")
            # What is left of the group stays at the same place in the queue.
    return redirect(url_for("duplicates.review", i=i))


@bp.route("/duplicates/decide", methods=("POST",))
def decide() -> Response:
    """Record an operator's decision on one pair (``decided_by`` = the signed-in user, ``note`` = why)."""
    doc_a = request.form.get("doc_a", "")
    doc_b = request.form.get("doc_b", "")
    decision = request.form.get("decision", "")
    back = safe_next(request.form.get("next"), url_for("duplicates.index"))
    if decision not in DECISIONS:
        flash(t("dup.bad_decision"), "error")
        return redirect(back)
    if not record_decision(get_db(), doc_a, doc_b, decision, by=g.user["username"],
                           note=request.form.get("note", "").strip()[:500]):
        abort(404)
    log.info("pair marked %s by %s", decision, g.user["username"])
    flash(t("dup.saved"), "ok")
    return redirect(back)


@bp.route("/duplicates/<doc_a>/<doc_b>")
def pair(doc_a: str, doc_b: str) -> str:
    """Two letters side by side: page images beside the text, shared passages marked, why proposed."""
    a, b = sorted((doc_a, doc_b))
    db = get_db()
    rows = [dict(r) for r in db.query("select * from duplicate_pairs where doc_a = ? and doc_b = ?", [a, b])]
    if not rows:
        abort(404)
    texts = {r["doc_id"]: dict(r) for r in db.query(
        "select doc_id, text, text_sha256, identity_keys from documents where doc_id in (?, ?)", [a, b])}
    if a not in texts or b not in texts:
        abort(404)
    docs = _docs([a, b])
    seg_a, seg_b = passages(texts[a]["text"] or "", texts[b]["text"] or "")
    images = {d: [r["page_id"] for r in db.query("select page_id from pages where doc_id = ? and image is not null "
                                                 "order by idx", [d])] for d in (a, b)}
    # The pair's neighbours in the queue, for j/k.
    proposed = [(x, y) for x, y in db.execute("select doc_a, doc_b from duplicate_pairs where decision = 'proposed' "
                                              "order by coalesce(probability, similarity) desc, doc_a, doc_b")]
    pos = proposed.index((a, b)) if (a, b) in proposed else -1
    nxt = proposed[pos + 1] if 0 <= pos < len(proposed) - 1 else (proposed[0] if pos < 0 and proposed else None)
    prev = proposed[pos - 1] if pos > 0 else None
    if nxt == (a, b):
        nxt = None
    after = url_for("duplicates.pair", doc_a=nxt[0], doc_b=nxt[1]) if nxt else url_for("duplicates.index")
    return render_template("duplicates/pair.html", pair=rows[0], a=docs[a], b=docs[b],
                           html_a=highlighted(seg_a), html_b=highlighted(seg_b), images=images,
                           reasons=explain(rows[0], texts[a], texts[b]), history=history(db, a, b),
                           next_pair=nxt, prev_pair=prev, after=after)
