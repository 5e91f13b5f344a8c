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


# Why a row was not imported: stable codes (the panel words them, ``import.err.<code>``).
REASONS = {
    "no_case_ref": "no case number",
    "bad_status": "unknown status {value!r}",
    "bad_date": "date not dd/mm/yyyy or yyyy-mm-dd",
    "no_resolved_date": "resolved without a resolution date",
    "future_date": "resolution date in the future",
    "unknown_document": "document {value} is not in the index",
}


@dataclass
class ImportReport:
    """What a CSV import did."""

    cases: int = 0
    documents_linked: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, value)

    def fail(self, line: int, code: str, value: str = "") -> None:
        """Record that row ``line`` (or a part of it) was not imported, and why."""
        self.problems.append((line, code, value))

    @property
    def errors(self) -> list[tuple[int, str]]:
        """The problems as (line, reason in English), for the command line."""
        return [(line, REASONS[code].format(value=value)) for line, code, value in self.problems]


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


def import_csv(db: sqlite_utils.Database, path: Path, *, by: str, via: str = "csv") -> ImportReport:
    """Create or update the cases listed in ``path`` and link their documents."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ImportFailed(f"{path}: cannot read: {e.strerror}", message_vi="Không đọc được tệp.") from e
    return import_data(db, data, name=str(path), by=by, via=via)


def import_data(db: sqlite_utils.Database, data: bytes, *, name: str, by: str, via: str = "csv") -> ImportReport:
    """Create or update the cases listed in the CSV ``data`` (an uploaded file) and link their documents."""
    try:
        text = _decode(data)
    except UnicodeDecodeError as e:
        raise ImportFailed(f"{name}: neither UTF-8 nor Windows-1258 text",
                           message_vi="Tệp không phải văn bản CSV (UTF-8 hoặc Windows-1258).") from e
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    if "\x00" in text:  # a spreadsheet or other binary file, not its CSV export
        raise ImportFailed(f"{name}: binary data, not CSV",
                           message_vi="Tệp không phải văn bản CSV (hãy lưu từ Excel dưới dạng CSV UTF-8).")
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise ImportFailed(f"{name}: empty file", message_vi="Tệp trống.")
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        column = fold(h).replace("_", " ")
        for key, names in _COLUMNS.items():
            if column in names and key not in cols:
                cols[key] = i
    if "case_ref" not in cols:
        raise ImportFailed(f"{name}: no case number column (so_ho_so or case_ref) in the header",
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
                report.fail(line, "no_case_ref")
                continue
            status = _status(get("status")) if get("status") else "received"
            if status is None:
                report.fail(line, "bad_status", get("status"))
                continue
            try:
                resolved, received = _date(get("resolved_on")), _date(get("received_on"))
            except ValueError:
                report.fail(line, "bad_date")
                continue
            if status == "resolved" and not resolved:
                report.fail(line, "no_resolved_date")
                continue
            if resolved and resolved > date.today().isoformat():
                report.fail(line, "future_date")
                continue
            set_status(db, ref, status, resolved, by=by, via=via, title=get("title") or None,
                       received_on=received)
            report.cases += 1
            for doc_id in re.split(r"[;,\s]+", get("doc_ids")):
                # A document is named by its id or by its reference number (K01-081226-0007).
                found = doc_id and db.execute("select doc_id from documents where doc_id = ? or reference = ?",
                                              [doc_id, doc_id]).fetchone()
                if found:
                    assign(db, found[0], ref, by=by, via=via)
                    report.documents_linked += 1
                elif doc_id:
                    report.fail(line, "unknown_document", doc_id)
    return report
