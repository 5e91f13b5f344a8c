"""Export of the petition list as the operator filtered it: CSV (UTF-8 with BOM, opens in Excel)
or an Excel workbook (openpyxl). The files hold personal data: served only behind sign-in,
never cached, and the screen says so beside the links."""
from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterator
from datetime import datetime

from flask import Blueprint, abort, g, request, stream_with_context
from werkzeug.wrappers import Response

from hub.panel import doclist
from hub.panel.db import get_db
from hub.panel.strings import t
from hub.panel.timefmt import LOCAL_TZ, local_date, local_time

log = logging.getLogger(__name__)
bp = Blueprint("export", __name__)

CHUNK = 1000  # rows read and decorated at a time (stays under SQLite's variable limit)
COLUMNS = (
    ("documents.col.reference", lambda d: d["ref"]),
    ("documents.col.received", lambda d: local_time(d["received_at"])),
    ("field.name", lambda d: d.get("name") or ""),
    ("field.id_number", lambda d: d.get("id_number") or ""),
    ("field.phone", lambda d: d.get("phone") or ""),
    ("field.address", lambda d: d.get("address") or ""),
    ("field.kind", lambda d: d["kind_label"]),
    ("field.addressee", lambda d: d.get("addressee") or ""),
    ("field.letter_date", lambda d: local_date(d.get("letter_date"))),
    ("field.subject", lambda d: d.get("subject") or d["first_line"]),
    ("documents.col.kiosk", lambda d: d["device_id"] or d["source_name"] or t("filter.imports")),
    ("doc.page_count", lambda d: d["page_count"] or 0),
    ("documents.col.status", lambda d: t("status." + (d["status"] or "received"))),
    ("doc.case_ref", lambda d: d["case_ref"] or ""),
    ("doc.resolved_at", lambda d: local_date(d["resolved_at"])),
    ("filter.dup", lambda d: t("filter.dup." + d["dup_state"]) if d["dup_state"] else ""),
    ("filter.resub", lambda d: "x" if d["resubmission"] else ""),
)

# A letter's fields are the citizen's words (or a hostile kiosk's): a cell a spreadsheet would
# run as a formula is written as text. Numbers and phone numbers (``+84 912 345 678``) stay as they are.
_FORMULA = re.compile(r"[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?[\d\s.,]+")


def _runs(value: object) -> bool:
    return isinstance(value, str) and bool(_FORMULA.match(value)) and not _NUMBER.fullmatch(value)


def _rows(filters: doclist.Filters) -> Iterator[list]:
    db = get_db()
    offset = 0
    while True:
        chunk = doclist.select(db, filters, limit=CHUNK, offset=offset)
        for d in chunk:
            yield [get(d) for _, get in COLUMNS]
        if len(chunk) < CHUNK:
            return
        offset += CHUNK


def _csv(filters: doclist.Filters) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write("\ufeff")  # Excel reads UTF-8 only with the mark
    writer.writerow([t(key) for key, _ in COLUMNS])
    for n, row in enumerate(_rows(filters), 1):
        writer.writerow(["'" + v if _runs(v) else v for v in row])
        if n % 500 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _xlsx(filters: doclist.Filters) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
        return cell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(t("export.sheet"))
    ws.append([t(key) for key, _ in COLUMNS])
    for row in _rows(filters):
        ws.append([text(v) if _runs(v) else v for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@bp.route("/documents/export.<fmt>")
def documents(fmt: str) -> Response:
    """The current view of ``/documents`` (same filters and sort), every page of it."""
    if fmt not in ("csv", "xlsx"):
        abort(404)
    filters = doclist.parse_filters(request.args)
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        resp = Response(stream_with_context(_csv(filters)), mimetype="text/csv")
        resp.charset = "utf-8"
    else:
        resp = Response(_xlsx(filters),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp.headers["Content-Disposition"] = f'attachment; filename="don-thu-{stamp}.{fmt}"'
    # Personal data: no copy may stay in a browser's or proxy's cache.
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    log.info("document list exported as %s by %s", fmt, g.user["username"])
    return resp
