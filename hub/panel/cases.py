"""Screen ``cases`` (Hồ sơ): the city's matters, each with its documents, its status for all of
them and its history; the case list imported from a CSV file; re-submissions of resolved matters."""
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

from hub.cases import import_data, set_status
from hub.exceptions import ImportFailed
from hub.panel import doclist
from hub.panel.db import get_db
from hub.panel.documents import parse_resolved
from hub.panel.paging import page_of
from hub.panel.strings import t
from hub.panel.timefmt import today_local

log = logging.getLogger(__name__)
bp = Blueprint("cases", __name__)

STATUSES = doclist.STATUSES
# The panel refuses bodies over 64 KiB; a city's case list exported from Excel is larger.
IMPORT_MAX_BYTES = 8 * 1024 * 1024


@bp.url_value_preprocessor
def _larger_upload(endpoint: str | None, _values: dict | None) -> None:
    # Runs before the app's before_request functions (the CSRF check reads the form, and
    # with it the body), so the larger limit is in force when the body is read.
    if endpoint == "cases.import_csv":
        request.max_content_length = IMPORT_MAX_BYTES


@bp.route("/cases")
def index() -> str:
    """Cases, most recently changed first, by status, paginated with the true total."""
    db = get_db()
    status = request.args.get("status") if request.args.get("status") in STATUSES else ""
    where, params = (" where c.status = ?", [status]) if status else ("", [])
    total = db.execute(f"select count(*) from cases c{where}", params).fetchone()[0]
    page, pages, size = page_of(total)
    rows = [dict(r) for r in db.query(
        f"select c.*, (select count(*) from documents d where d.case_ref = c.case_ref) as docs from cases c{where} "
        "order by c.updated_at desc, c.case_ref limit ? offset ?", [*params, size, (page - 1) * size])]
    resub_total = doclist.count(db, doclist.Filters(resubmission=True))
    return render_template("cases/index.html", cases=rows, status=status, statuses=STATUSES, page=page,
                           pages=pages, total=total, resub_total=resub_total,
                           args={"status": status} if status else {})


@bp.route("/cases/<path:ref>")
def detail(ref: str) -> str:
    """One case: its documents, status form (for all of them), history."""
    db = get_db()
    rows = list(db.query("select * from cases where case_ref = ?", [ref]))
    if not rows:
        abort(404)
    docs = doclist.decorate(db, [dict(r) for r in db.query(
        doclist.SELECT + " where d.case_ref = ? order by d.received_at", [ref])])
    events = [dict(r) for r in db.query(
        "select e.*, d.reference, d.doc_id as doc_exists from case_events e left join documents d "
        "on d.doc_id = e.doc_id where e.case_ref = ? order by e.id desc", [ref])]
    return render_template("cases/detail.html", case=rows[0], docs=docs, events=events, statuses=STATUSES,
                           today=today_local().isoformat())


@bp.route("/cases/<path:ref>/status", methods=("POST",))
def status(ref: str) -> Response:
    """Set the status of the whole matter; the resolution date only with ``resolved``."""
    db = get_db()
    if not db.execute("select 1 from cases where case_ref = ?", [ref]).fetchone():
        abort(404)
    back = url_for("cases.detail", ref=ref)
    value = request.form.get("status", "")
    if value not in STATUSES:
        flash(t("doc.status_bad"), "error")
        return redirect(back)
    resolved = None
    if value == "resolved":
        resolved = parse_resolved(request.form.get("resolved_on", ""))
        if resolved is None:
            flash(t("doc.resolved_date_bad"), "error")
            return redirect(back)
    with db.conn:
        set_status(db, ref, value, resolved, by=g.user["username"], via="panel")
    n = db.execute("select count(*) from documents where case_ref = ?", [ref]).fetchone()[0]
    log.info("case status set to %s by %s (%d documents)", value, g.user["username"], n)
    flash(t("cases.saved", n=n), "ok")
    return redirect(back)


@bp.route("/cases/import", methods=("GET", "POST"))
def import_csv() -> str:
    """Upload the city's case list (CSV); every row not imported is listed with its line and reason."""
    report = None
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read(IMPORT_MAX_BYTES + 1) if upload else b""
        if not data:
            flash(t("cases.import_none"), "error")
        else:
            try:
                report = import_data(get_db(), data, name="upload", by=g.user["username"], via="csv")
            except ImportFailed as e:
                log.warning("case import refused: %s", e)
                flash(e.message_vi, "error")
            else:
                log.info("case list imported by %s: %d cases, %d rows refused", g.user["username"],
                         report.cases, len(report.problems))
    return render_template("cases/import.html", report=report)
