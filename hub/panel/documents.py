"""Screen ``documents``: the petitions (filtered, sorted, paginated), one petition with its pages,
its fields (correctable), its matter's status, and whether it repeats a resolved matter."""
from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

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

from hub.cases import assign, new_case_ref, resubmission_of
from hub.cases import set_status as set_case_status
from hub.dedup.citizens import links_of
from hub.dedup.review import confirmed_copies
from hub.index.db import immediate, marks
from hub.panel import doclist
from hub.panel.db import get_db
from hub.panel.doclist import first_lines, flags_of, reference_of, title_of
from hub.panel.paging import page_of
from hub.panel.strings import key_label, t
from hub.panel.timefmt import today_local

log = logging.getLogger(__name__)
bp = Blueprint("documents", __name__)

__all__ = ["bp", "first_lines", "find_document"]

STATUSES = doclist.STATUSES
FIELDS = ("name", "id_number", "phone", "address", "kind", "addressee", "letter_date", "subject")
# Only these are served with their own type; anything else a kiosk claims is sent as a
# download, so a stored "text/html" page can never run script in the operator's browser.
IMAGE_MIMES = frozenset({"image/png", "image/jpeg", "image/tiff", "image/webp", "image/gif"})


@bp.route("/documents")
def index() -> str:
    """Petitions with the chosen filters and sort, paginated with the true total."""
    db = get_db()
    filters = doclist.parse_filters(request.args)
    total = doclist.count(db, filters)
    page, pages, size = page_of(total)
    docs = doclist.select(db, filters, limit=size, offset=(page - 1) * size)
    kiosks = [d for (d,) in db.execute("select distinct device_id from documents where device_id is not null "
                                       "and device_id != '' order by device_id")]
    kinds = [k for (k,) in db.execute("select distinct kind from document_fields where kind is not null "
                                      "and kind != '' order by kind")]
    return render_template(
        "documents/list.html", docs=docs, page=page, pages=pages, total=total, filters=filters,
        args=filters.args(), kiosks=kiosks, kinds=kinds, statuses=STATUSES, dup_states=doclist.DUP_STATES,
        sorts=doclist.SORTS,
    )


def find_document(key: str) -> dict | None:
    """The document named by its id or its reference number."""
    rows = list(get_db().query(
        "select d.*, f.name, f.id_number, f.phone, f.address, f.kind, f.addressee, f.letter_date, f.subject, "
        "f.confidence, f.source as fields_source, f.updated_at as fields_updated_at, f.updated_by as fields_updated_by "
        "from documents d left join document_fields f on f.doc_id = d.doc_id "
        "where d.doc_id = ? or d.reference = ? order by d.doc_id = ? desc limit 1", [key, key, key]))
    return dict(rows[0]) if rows else None


def _placeholder(idx: int, text: str | None) -> dict:
    return {
        "page_id": None, "idx": idx, "text": text, "ocr_confidence": None, "skew_degrees": None,
        "flags": None, "mime": None, "width": None, "height": None, "has_image": False,
    }


def pages_of(doc: dict) -> list[dict]:
    """Pages in order; announced pages that never arrived appear as placeholders."""
    rows = [dict(r) for r in get_db().query(
        "select page_id, idx, text, ocr_confidence, skew_degrees, flags, mime, width, height,"
        " image is not null as has_image from pages where doc_id = ? order by idx",
        [doc["doc_id"]],
    )]
    if not rows and doc["text"]:
        # Imported files may carry only the document text, pages split by form feeds.
        return [_placeholder(i, part) for i, part in enumerate(doc["text"].split("\f"))]
    seen = {r["idx"] for r in rows}
    for idx in range(doc["page_count"] or 0):
        if idx not in seen:
            rows.append(_placeholder(idx, None))
    for r in rows:
        r["flag_words"] = flags_of(r.get("flags"))
    return sorted(rows, key=lambda r: r["idx"])


def duplicates_of(doc_id: str) -> list[dict]:
    """Every pair touching ``doc_id``, with the other document's summary."""
    rows = get_db().query(
        """
        select p.doc_a, p.doc_b, p.similarity, p.containment, p.method, p.found_at,
               coalesce(p.decision, 'proposed') as decision, p.decided_by, p.decided_at,
               o.doc_id as other_id, o.reference, o.received_at as other_received,
               substr(o.text, 1, 400) as head, o.source as other_source,
               o.device_id as other_device, o.source_name as other_source_name, f.name, f.kind
        from duplicate_pairs p
        left join documents o on o.doc_id = case when p.doc_a = :d then p.doc_b else p.doc_a end
        left join document_fields f on f.doc_id = o.doc_id
        where p.doc_a = :d or p.doc_b = :d
        order by p.similarity desc
        """,
        {"d": doc_id},
    )
    out = []
    for r in rows:
        r = dict(r)
        r["other"] = r["doc_b"] if r["doc_a"] == doc_id else r["doc_a"]
        r["first_line"] = first_lines(r.pop("head"))
        r["doc_id"] = r["other"]
        r["other_title"], r["other_ref"] = title_of(r), reference_of(r)
        out.append(r)
    return out


def _citizen_links(doc_id: str) -> list[dict]:
    db = get_db()
    links = links_of(db, doc_id)
    if not links:
        return []
    ids = [lk["other"] for lk in links]
    others = {r["doc_id"]: r for r in doclist.decorate(db, [dict(r) for r in db.query(
        doclist.SELECT + f" where d.doc_id in ({marks(ids)})", ids)])}
    for lk in links:
        lk["doc"] = others.get(lk["other"])
        lk["key_words"] = [key_label(k) for k in lk["keys"]]
    return links


@bp.route("/documents/<key>")
def detail(key: str) -> str:
    """One petition (by id or reference number): fields, status of its matter, pages, duplicates."""
    doc = find_document(key)
    if doc is None:
        abort(404)
    doc_id = doc["doc_id"]
    doc["title"], doc["ref"] = title_of(doc), reference_of(doc)
    doc["kind_label"] = doclist.kind_label(doc.get("kind"))
    try:
        confidence = json.loads(doc.get("confidence") or "{}") or {}
    except ValueError:
        confidence = {}
    pages = pages_of(doc)
    db = get_db()
    case = None
    if doc["case_ref"]:
        case = db.execute("select case_ref, status, resolved_on from cases where case_ref = ?",
                          [doc["case_ref"]]).fetchone()
    return render_template(
        "documents/detail.html", doc=doc, pages=pages, fields=FIELDS, confidence=confidence,
        images_received=sum(1 for p in pages if p["has_image"]),
        duplicates=duplicates_of(doc_id), statuses=STATUSES, today=today_local().isoformat(),
        same_citizen=_citizen_links(doc_id), resubmission=resubmission_of(db, doc_id), case=case,
        copies=len(confirmed_copies(db, doc_id)),
        has_pdf=db.execute("select 1 from pages where doc_id = ? and pdf is not null limit 1",
                           [doc_id]).fetchone() is not None,
    )


def parse_resolved(value: str) -> str | None:
    """A resolution date from a form (``yyyy-mm-dd``, not after today), or None."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day.isoformat() if day <= today_local() else None


@bp.route("/documents/<doc_id>/status", methods=("POST",))
def set_status(doc_id: str) -> Response:
    """Set the status of the petition's matter: its case and every document of it.

    A petition with no case gets one (``HS-YYYY/NNNN``) with its confirmed copies, so the
    copies of one letter never disagree on where the matter stands.
    """
    db = get_db()
    doc = find_document(doc_id)
    if doc is None:
        abort(404)
    doc_id = doc["doc_id"]
    back = url_for("documents.detail", key=doc_id)
    status = request.form.get("status", "")
    if status not in STATUSES:
        flash(t("doc.status_bad"), "error")
        return redirect(back)
    resolved_at = None
    if status == "resolved":
        resolved_at = parse_resolved(request.form.get("resolved_at", ""))
        if resolved_at is None:
            flash(t("doc.resolved_date_bad"), "error")
            return redirect(back)
    case_ref = request.form.get("case_ref", "").strip()[:100] or doc["case_ref"]
    user = g.user["username"]
    with immediate(db):  # a new case number is read and taken under one write lock
        if not case_ref:
            case_ref = new_case_ref(db, by=user)
        for other in sorted(confirmed_copies(db, doc_id) | {doc_id}):
            row = db.execute("select case_ref from documents where doc_id = ?", [other]).fetchone()
            if other == doc_id or not row[0]:
                if row[0] != case_ref:
                    assign(db, other, case_ref, by=user, via="panel")
        set_case_status(db, case_ref, status, resolved_at, by=user, via="panel")
    log.info("case status set to %s by %s", status, user)
    flash(t("doc.status_saved_case", case=case_ref), "ok")
    return redirect(back)


@bp.route("/documents/<doc_id>/fields", methods=("POST",))
def set_fields(doc_id: str) -> Response:
    """An operator's correction of the fields read from the letter (kept as ``source='operator'``)."""
    db = get_db()
    doc = find_document(doc_id)
    if doc is None:
        abort(404)
    values = {f: request.form.get(f, "").strip()[:300] or None for f in FIELDS}
    if values["letter_date"]:
        try:
            values["letter_date"] = date.fromisoformat(values["letter_date"]).isoformat()
        except ValueError:
            flash(t("doc.fields_bad_date"), "error")
            return redirect(url_for("documents.detail", key=doc["doc_id"]))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with db.conn:
        db["document_fields"].upsert({"doc_id": doc["doc_id"], **values, "source": "operator",
                                      "updated_at": now, "updated_by": g.user["username"]}, pk="doc_id")
    log.info("fields of a document corrected by %s", g.user["username"])
    flash(t("doc.fields_saved"), "ok")
    return redirect(url_for("documents.detail", key=doc["doc_id"]))


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
