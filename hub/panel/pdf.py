"""Searchable PDF of a document: its pages' PDFs (image + invisible OCR text) in order."""
from __future__ import annotations

import io
import logging
from urllib.parse import quote

from flask import Blueprint, abort
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from werkzeug.wrappers import Response

from edge.wire import TOKEN_RE
from hub.panel.db import get_db

log = logging.getLogger(__name__)
bp = Blueprint("pdf", __name__)


def document_pdf(db, doc_id: str) -> bytes | None:  # noqa: ANN001
    """Merge the stored page PDFs of a document; None when no page has one."""
    parts = [r[0] for r in db.execute(
        "select pdf from pages where doc_id = ? and pdf is not null order by idx", [doc_id])]
    if not parts:
        return None
    writer = PdfWriter()
    for part in parts:
        try:
            for page in PdfReader(io.BytesIO(part)).pages:
                writer.add_page(page)
        except (PdfReadError, ValueError) as e:
            log.error("document %s: a stored page PDF is unreadable: %s", doc_id, e)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def content_disposition(filename: str) -> str:
    """An attachment header (RFC 6266): an ASCII fallback name and the exact one, %-encoded."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-._") else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@bp.route("/documents/<doc_id>/pdf")
def download(doc_id: str) -> Response:
    """Download the document as one searchable PDF (404 when it has none yet)."""
    if not TOKEN_RE.match(doc_id):  # an id is letters, digits and -._: only; nothing else is one
        abort(404)
    data = document_pdf(get_db(), doc_id)
    if data is None:
        abort(404)
    resp = Response(data, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = content_disposition(f"don-thu-{doc_id[:12]}.pdf")
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
