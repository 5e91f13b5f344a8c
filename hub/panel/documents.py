"""Screen ``documents``: the newest petitions, one petition with its pages, and its case status."""
from __future__ import annotations

import logging
import math
import re
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from edge.fingerprint.normalize import fold
from hub.cases import assign
from hub.cases import set_status as set_case_status
from hub.dedup.citizens import links_of
from hub.panel.db import get_db
from hub.panel.strings import t
from hub.panel.timefmt import today_local

log = logging.getLogger(__name__)
bp = Blueprint("documents", __name__)

STATUSES = ("received", "in_progress", "resolved")
# Only these are served with their own type; anything else a kiosk claims is sent as a
# download, so a stored "text/html" page can never run script in the operator's browser.
IMAGE_MIMES = frozenset({"image/png", "image/jpeg", "image/tiff", "image/webp", "image/gif"})

# "Incomplete" = a kiosk document with fewer received page images than it announced;
# "duplicate" = any pair touching it that is proposed or confirmed (not rejected or withdrawn).
_LIST_SQL = """
    select d.doc_id, d.source, d.device_id, d.source_name, d.received_at, d.page_count,
           d.status, substr(d.text, 1, 400) as head,
           (select count(*) from pages p where p.doc_id = d.doc_id and p.image is not null)
               as images_received,
           (exists(select 1 from duplicate_pairs x where x.doc_a = d.doc_id
                   and coalesce(x.decision, 'proposed') in ('proposed', 'confirmed'))
            or exists(select 1 from duplicate_pairs y where y.doc_b = d.doc_id
                   and coalesce(y.decision, 'proposed') in ('proposed', 'confirmed'))) as has_duplicate
    from documents d
"""


# Every petition opens with the national motto and often "<place>, ngày .. tháng .. năm ..";
# skipping those lines makes the first remaining one (usually "ĐƠN KHIẾU NẠI ...") telling.
_BOILERPLATE = re.compile(
    r"^(cong hoa xa hoi chu nghia viet nam|doc lap tu do hanh phuc)"
    r"|ngay \d+ thang \d+ nam \d+"
)


def first_lines(text: str | None, *, count: int = 2, limit: int = 120) -> str:
    """The first ``count`` telling lines of a text (motto and date skipped), cut to ``limit`` chars."""
    lines = [ln.strip() for ln in (text or "").replace("\f", "\n").splitlines()]
    lines = [ln for ln in lines if fold(ln)]
    telling = [ln for ln in lines if not _BOILERPLATE.search(fold(ln))] or lines[:1]
    out = " · ".join(telling[:count])
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"


def _decorate(row: dict) -> dict:
    row = dict(row)
    row["first_line"] = first_lines(row.pop("head", ""))
    row["incomplete"] = row["source"] == "kiosk" and (
        (row["images_received"] or 0) < (row["page_count"] or 0)
    )
    row["has_duplicate"] = bool(row["has_duplicate"])
    return row


@bp.route("/documents")
def index() -> str:
    """Documents, newest first, paginated by ``?page=``."""
    size = int(current_app.config["PAGE_SIZE"])
    db = get_db()
    total = db.execute("select count(*) from documents").fetchone()[0]
    pages = max(1, math.ceil(total / size))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    rows = db.query(
        _LIST_SQL + " order by d.received_at desc, d.doc_id limit ? offset ?",
        [size, (page - 1) * size],
    )
    return render_template(
        "documents/list.html", docs=[_decorate(r) for r in rows],
        page=page, pages=pages, total=total,
    )


def _placeholder(idx: int, text: str | None) -> dict:
    return {
        "page_id": None, "idx": idx, "text": text, "ocr_confidence": None, "skew_degrees": None,
        "flags": None, "mime": None, "width": None, "height": None, "has_image": False,
    }


def _pages_of(doc: dict) -> list[dict]:
    """Pages in order; announced pages that never arrived appear as placeholders."""
    rows = list(get_db().query(
        "select page_id, idx, text, ocr_confidence, skew_degrees, flags, mime, width, height,"
        " image is not null as has_image from pages where doc_id = ? order by idx",
        [doc["doc_id"]],
    ))
    if not rows and doc["text"]:
        # Imported files may carry only the document text, pages split by form feeds.
        return [_placeholder(i, part) for i, part in enumerate(doc["text"].split("\f"))]
    seen = {r["idx"] for r in rows}
    for idx in range(doc["page_count"] or 0):
        if idx not in seen:
            rows.append(_placeholder(idx, None))
    return sorted(rows, key=lambda r: r["idx"])


def duplicates_of(doc_id: str) -> list[dict]:
    """Every pair touching ``doc_id``, with the other document's summary."""
    rows = get_db().query(
        """
        select p.doc_a, p.doc_b, p.similarity, p.containment, p.method, p.found_at,
               coalesce(p.decision, 'proposed') as decision, p.decided_by, p.decided_at,
               o.doc_id as other_id, o.received_at as other_received,
               substr(o.text, 1, 400) as other_head, o.source as other_source,
               o.device_id as other_device, o.source_name as other_source_name
        from duplicate_pairs p
        left join documents o on o.doc_id = case when p.doc_a = :d then p.doc_b else p.doc_a end
        where p.doc_a = :d or p.doc_b = :d
        order by p.similarity desc
        """,
        {"d": doc_id},
    )
    out = []
    for r in rows:
        r = dict(r)
        r["other"] = r["doc_b"] if r["doc_a"] == doc_id else r["doc_a"]
        r["other_first_line"] = first_lines(r.pop("other_head"))
        out.append(r)
    return out


@bp.route("/documents/<doc_id>")
def detail(doc_id: str) -> str:
    """One document: metadata, status form, OCR text and images of each page, duplicate candidates."""
    rows = list(get_db().query("select * from documents where doc_id = ?", [doc_id]))
    if not rows:
        abort(404)
    doc = rows[0]
    pages = _pages_of(doc)
    return render_template(
        "documents/detail.html", doc=doc, pages=pages,
        images_received=sum(1 for p in pages if p["has_image"]),
        duplicates=duplicates_of(doc_id), statuses=STATUSES, today=today_local().isoformat(),
        same_citizen=links_of(get_db(), doc_id),
        has_pdf=get_db().execute("select 1 from pages where doc_id = ? and pdf is not null limit 1",
                                 [doc_id]).fetchone() is not None,
    )


def _parse_resolved(value: str) -> str | None:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day.isoformat() if day <= today_local() else None


@bp.route("/documents/<doc_id>/status", methods=("POST",))
def set_status(doc_id: str) -> Response:
    """Set the case status; ``resolved`` needs a date (not in the future)."""
    db = get_db()
    if not list(db.query("select 1 from documents where doc_id = ?", [doc_id])):
        abort(404)
    status = request.form.get("status", "")
    if status not in STATUSES:
        flash(t("doc.status_bad"), "error")
        return redirect(url_for("documents.detail", doc_id=doc_id))
    resolved_at = None
    if status == "resolved":
        resolved_at = _parse_resolved(request.form.get("resolved_at", ""))
        if resolved_at is None:
            flash(t("doc.resolved_date_bad"), "error")
            return redirect(url_for("documents.detail", doc_id=doc_id))
    case_ref = request.form.get("case_ref", "").strip()[:100]
    user = g.user["username"]
    with db.conn:
        if case_ref:
            # The status belongs to the case: every document of it takes the new status.
            assign(db, doc_id, case_ref, by=user, via="panel")
            set_case_status(db, case_ref, status, resolved_at, by=user, via="panel")
        else:
            db["documents"].update(doc_id, {"status": status, "resolved_at": resolved_at})
    log.info("case status of %s set to %s by %s", doc_id, status, g.user["username"])
    flash(t("doc.status_saved"), "ok")
    return redirect(url_for("documents.detail", doc_id=doc_id))


@bp.route("/pages/<page_id>/image")
def page_image(page_id: str) -> Response:
    """The stored page image; 404 while the image has not arrived."""
    rows = list(get_db().query("select image, mime from pages where page_id = ?", [page_id]))
    if not rows or rows[0]["image"] is None:
        abort(404)
    mime = rows[0]["mime"] if rows[0]["mime"] in IMAGE_MIMES else "application/octet-stream"
    resp = Response(rows[0]["image"], mimetype=mime)
    resp.headers["Cache-Control"] = "private, max-age=3600"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
