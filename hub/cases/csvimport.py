"""Import of the city's existing case list (CSV, as exported from Excel or the case system).

Accepted headers (Vietnamese or English, any case, with or without marks):
``so_ho_so``/``case_ref`` (required), ``trang_thai``/``status``, ``ngay_giai_quyet``/
``resolved_on``, ``ngay_nhan``/``received_on``, ``noi_dung``/``title`` and ``ma_don``/``doc_ids``
(document ids of the index, separated by ``;`` or spaces). Statuses may be written
``Đã tiếp nhận``/``received``, ``Đang xử lý``/``in_progress``, ``Đã giải quyết``/``resolved``;
dates as ``dd/mm/yyyy`` or ``yyyy-mm-dd``. UTF-8 (with or without BOM) or Windows-1258;
comma, semicolon or tab separated. Good rows are imported even if some are bad; every bad
row is reported with its line number and the reason.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlite_utils

from edge.fingerprint.normalize import fold
from hub.cases.store import assign, set_status
from hub.exceptions import ImportFailed

_COLUMNS = {
    "case_ref": ("so ho so", "ma ho so", "so ho so vu viec", "case ref", "case", "case id"),
    "status": ("trang thai", "tinh trang", "status"),
    "resolved_on": ("ngay giai quyet", "ngay ket thuc", "resolved on", "resolved at", "resolved"),
    "received_on": ("ngay nhan", "ngay tiep nhan", "received on", "received"),
    "title": ("noi dung", "noi dung tom tat", "tieu de", "title", "subject"),
    "doc_ids": ("ma don", "ma tai lieu", "doc ids", "documents", "doc id"),
}
_STATUS = {
    "received": ("da tiep nhan", "tiep nhan", "moi", "received", "new"),
    "in_progress": ("dang xu ly", "dang giai quyet", "in progress", "in_progress", "processing"),
    "resolved": ("da giai quyet", "da xu ly", "hoan thanh", "ket thuc", "resolved", "closed", "done"),
}


@dataclass
class ImportReport:
    """What a CSV import did."""

    cases: int = 0
    documents_linked: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258")


def _date(value: str) -> str | None:
    v = value.strip()
    if not v:
        return None
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", v)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    return date.fromisoformat(v[:10]).isoformat()


def _status(value: str) -> str | None:
    v = fold(value).replace("_", " ")
    for status, words in _STATUS.items():
        if v in {w.replace("_", " ") for w in words}:
            return status
    return None


def import_csv(db: sqlite_utils.Database, path: Path, *, by: str) -> ImportReport:
    """Create or update the cases listed in ``path`` and link their documents."""
    try:
        text = _decode(path.read_bytes())
    except OSError as e:
        raise ImportFailed(f"{path}: cannot read: {e.strerror}", message_vi="Không đọc được tệp.") from e
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise ImportFailed(f"{path}: empty file", message_vi="Tệp trống.")
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        name = fold(h).replace("_", " ")
        for key, names in _COLUMNS.items():
            if name in names and key not in cols:
                cols[key] = i
    if "case_ref" not in cols:
        raise ImportFailed(f"{path}: no case number column (so_ho_so or case_ref) in the header",
                           message_vi="Tệp không có cột số hồ sơ (so_ho_so).")
    report = ImportReport()
    with db.conn:
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue

            def get(key: str, row: list[str] = row) -> str:
                i = cols.get(key)
                return row[i].strip() if i is not None and i < len(row) else ""

            ref = get("case_ref")
            if not ref:
                report.errors.append((line, "no case number"))
                continue
            status = _status(get("status")) if get("status") else "received"
            if status is None:
                report.errors.append((line, f"unknown status {get('status')!r}"))
                continue
            try:
                resolved, received = _date(get("resolved_on")), _date(get("received_on"))
            except ValueError:
                report.errors.append((line, "date not dd/mm/yyyy or yyyy-mm-dd"))
                continue
            if status == "resolved" and not resolved:
                report.errors.append((line, "resolved without a resolution date"))
                continue
            if resolved and resolved > date.today().isoformat():
                report.errors.append((line, "resolution date in the future"))
                continue
            set_status(db, ref, status, resolved, by=by, via="csv", title=get("title") or None,
                       received_on=received)
            report.cases += 1
            for doc_id in re.split(r"[;,\s]+", get("doc_ids")):
                if doc_id and db.execute("select 1 from documents where doc_id = ?", [doc_id]).fetchone():
                    assign(db, doc_id, ref, by=by, via="csv")
                    report.documents_linked += 1
                elif doc_id:
                    report.errors.append((line, f"document {doc_id} is not in the index"))
    return report
