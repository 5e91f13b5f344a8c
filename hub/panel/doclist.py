"""The petitions a list shows: filters, sort and page of ``/documents``, shared by its exports.

A petition is shown as a person and a matter (reference number, petitioner, kind, subject,
letter date), never as its internal id; the filters and sort run in SQL so the list stays
fast at a year's 64,000 letters and more.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlite_utils

from edge.fingerprint.normalize import fold
from hub.cases import RESUBMISSION_SQL
from hub.index.db import marks
from hub.panel.strings import t
from hub.panel.timefmt import LOCAL_TZ

STATUSES = ("received", "in_progress", "resolved")
DUP_STATES = ("proposed", "confirmed", "none")
# Column -> SQL expression; nulls sort last in either direction.
SORTS = {
    "received": "d.received_at",
    "reference": "d.reference",
    "name": "f.name",
    "kind": "f.kind",
    "letter_date": "f.letter_date",
    "status": "d.status",
    "kiosk": "d.device_id",
}
_KINDS = {"complaint": "khieu_nai", "denunciation": "to_cao", "proposal": "kien_nghi", "reflection": "phan_anh",
          "khieu nai": "khieu_nai", "to cao": "to_cao", "kien nghi": "kien_nghi", "phan anh": "phan_anh",
          "de nghi": "kien_nghi"}

# Filters are written as "the document is in this set": SQLite builds the set once (from the
# partial and decision indexes of migration ``panel_lists``) instead of probing for every
# document of the index.
_FLAGGED = ("d.doc_id in (select doc_id from pages where flags is not null and flags not in ('', '[]'))")


def _paired(decisions: str) -> str:
    return (f"d.doc_id in (select doc_a from duplicate_pairs where decision in ({decisions}) "
            f"union all select doc_b from duplicate_pairs where decision in ({decisions}))")


_DUP = {
    "proposed": _paired("'proposed'"),
    "confirmed": _paired("'confirmed'"),
    "none": "not " + _paired("'proposed', 'confirmed'"),
}
_RESUBMISSION = _paired("'proposed', 'confirmed'") + " and " + RESUBMISSION_SQL

SELECT = """
    select d.doc_id, d.reference, d.source, d.device_id, d.source_name, d.received_at, d.page_count,
           d.status, d.resolved_at, d.case_ref, f.name, f.kind, f.subject, f.letter_date, f.id_number,
           f.phone, f.address, f.addressee, f.source as fields_source, substr(d.text, 1, 400) as head
    from documents d left join document_fields f on f.doc_id = d.doc_id
"""


@dataclass(frozen=True)
class Filters:
    """What the operator chose to see (all optional)."""

    date_from: date | None = None
    date_to: date | None = None
    kiosk: str = ""
    kind: str = ""
    status: str = ""
    dup: str = ""
    flagged: bool = False
    resubmission: bool = False
    sort: str = "received"
    desc: bool = True

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for links to other pages, sorts and exports)."""
        out = {"from": self.date_from.isoformat() if self.date_from else "",
               "to": self.date_to.isoformat() if self.date_to else "", "kiosk": self.kiosk,
               "kind": self.kind, "status": self.status, "dup": self.dup,
               "flagged": "1" if self.flagged else "", "resub": "1" if self.resubmission else "",
               "sort": self.sort if self.sort != "received" else "", "dir": "" if self.desc else "asc"}
        return {k: v for k, v in out.items() if v}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10]) if value else None
    except ValueError:
        return None


def parse_filters(args: dict) -> Filters:
    """Filters from a request's arguments; anything unreadable is ignored, never an error."""
    sort = args.get("sort", "received")
    return Filters(
        date_from=_day(args.get("from")), date_to=_day(args.get("to")),
        kiosk=(args.get("kiosk") or "").strip()[:100], kind=(args.get("kind") or "").strip()[:100],
        status=args.get("status") if args.get("status") in STATUSES else "",
        dup=args.get("dup") if args.get("dup") in DUP_STATES else "",
        flagged=args.get("flagged") == "1", resubmission=args.get("resub") == "1",
        sort=sort if sort in SORTS else "received", desc=args.get("dir") != "asc",
    )


def _utc_bound(day: date) -> str:
    """The UTC instant a Hanoi day starts, as the index stores times."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC).isoformat(timespec="seconds")


def _where(f: Filters) -> tuple[str, list]:
    clauses, params = [], []
    if f.date_from:
        clauses.append("d.received_at >= ?")
        params.append(_utc_bound(f.date_from))
    if f.date_to:
        clauses.append("d.received_at < ?")
        params.append(_utc_bound(f.date_to + timedelta(days=1)))
    if f.kiosk:
        clauses.append("d.device_id = ?")
        params.append(f.kiosk)
    if f.kind:
        clauses.append("f.kind = ?")
        params.append(f.kind)
    if f.status:
        clauses.append("d.status = ?")  # set on every insert (default 'received')
        params.append(f.status)
    if f.dup:
        clauses.append(_DUP[f.dup])
    if f.flagged:
        clauses.append(_FLAGGED)
    if f.resubmission:
        clauses.append(_RESUBMISSION)
    return (" where " + " and ".join(clauses)) if clauses else "", params


def _join(where: str, col: str = "") -> str:
    needs = "f." in where or col.startswith("f.")
    return " left join document_fields f on f.doc_id = d.doc_id" if needs else ""


def count(db: sqlite_utils.Database, f: Filters) -> int:
    """How many petitions the filters select (the true total, not a page's)."""
    where, params = _where(f)
    return db.execute(f"select count(*) from documents d{_join(where)}{where}", params).fetchone()[0]


def _and(where: str, clause: str) -> str:
    return f"{where} and {clause}" if where else f" where {clause}"


def page_ids(db: sqlite_utils.Database, f: Filters, *, limit: int, offset: int) -> list[str]:
    """The ids of one page, in order.

    Only ids are read here, from indexes that cover the order and the usual filters; the 50
    rows shown are read afterwards. A sort on a column some letters lack lists those with a
    value first, in the column's index order, then the others newest first.
    """
    where, params = _where(f)
    direction = "desc" if f.desc else "asc"
    if f.sort == "received":
        sql = (f"select d.doc_id from documents d{_join(where)}{where} "
               f"order by d.received_at {direction}, d.doc_id {direction} limit ? offset ?")
        return [d for (d,) in db.execute(sql, [*params, limit, offset])]
    col = SORTS[f.sort]
    with_value = _and(where, f"{col} is not null")
    join = _join(where, col)
    if col.startswith("f."):
        # Driven by the column's index (CROSS JOIN keeps that order in SQLite): no sort of the
        # whole list; the documents table only when a filter reads it.
        drive = "document_fields f" + (" cross join documents d on d.doc_id = f.doc_id" if where else "")
        key = "f.doc_id"
    else:
        drive, key = f"documents d{_join(where)}", "d.doc_id"
    n = db.execute(f"select count(*) from {drive}{with_value}", params).fetchone()[0]
    ids: list[str] = []
    if offset < n:
        ids = [d for (d,) in db.execute(f"select {key} from {drive}{with_value} order by {col} {direction} "
                                        "limit ? offset ?", [*params, limit, offset])]
    if len(ids) < limit:
        without = _and(where, f"{col} is null")
        ids += [d for (d,) in db.execute(
            f"select d.doc_id from documents d{join}{without} order by d.received_at desc, d.doc_id desc "
            "limit ? offset ?", [*params, limit - len(ids), max(0, offset - n)])]
    return ids


def select(db: sqlite_utils.Database, f: Filters, *, limit: int, offset: int = 0) -> list[dict]:
    """The petitions of one page, in order, decorated."""
    ids = page_ids(db, f, limit=limit, offset=offset)
    if not ids:
        return []
    rows = {r["doc_id"]: dict(r) for r in db.query(SELECT + f" where d.doc_id in ({marks(ids)})", ids)}
    return decorate(db, [rows[d] for d in ids if d in rows])


def decorate(db: sqlite_utils.Database, rows: list[dict]) -> list[dict]:
    """Add what a row shows besides its columns: title, badges (incomplete, duplicate, flagged pages,
    re-submission), read for these rows only."""
    ids = [r["doc_id"] for r in rows]
    if not ids:
        return rows
    q = marks(ids)
    images = dict(db.execute(f"select doc_id, count(*) from pages where doc_id in ({q}) and image is not null "
                             "group by doc_id", ids).fetchall())
    flagged = {d for (d,) in db.execute(f"select distinct doc_id from pages where doc_id in ({q}) and flags "
                                        "is not null and flags not in ('', '[]')", ids)}
    dups: dict[str, set[str]] = {}
    live = "decision in ('proposed', 'confirmed')"
    for d, decision in db.execute(f"select doc_a, decision from duplicate_pairs where doc_a in ({q}) and {live} "
                                  f"union all select doc_b, decision from duplicate_pairs where doc_b in ({q}) "
                                  f"and {live}", [*ids, *ids]):
        dups.setdefault(d, set()).add(decision)
    resub = {d for (d,) in db.execute(f"select d.doc_id from documents d where d.doc_id in ({q}) and "
                                      f"{RESUBMISSION_SQL}", ids)}
    for r in rows:
        r["first_line"] = first_lines(r.pop("head", ""))
        r["title"] = title_of(r)
        r["ref"] = reference_of(r)
        r["kind_label"] = kind_label(r.get("kind"))
        r["images_received"] = images.get(r["doc_id"], 0)
        r["incomplete"] = r["source"] == "kiosk" and r["images_received"] < (r["page_count"] or 0)
        r["has_duplicate"] = bool(dups.get(r["doc_id"]))
        r["dup_state"] = "confirmed" if "confirmed" in dups.get(r["doc_id"], ()) else (
            "proposed" if r["has_duplicate"] else "")
        r["flagged"] = r["doc_id"] in flagged
        r["resubmission"] = r["doc_id"] in resub
    return rows


# Every petition opens with the national motto and often "<place>, ngày .. tháng .. năm ..";
# skipping those lines makes the first remaining one (usually "ĐƠN KHIẾU NẠI ...") telling.
# A label with nothing after it ("Kính gửi:") tells nothing either.
_BOILERPLATE = re.compile(
    r"^(cong hoa xa hoi chu nghia viet nam|doc lap tu do hanh phuc)"
    r"|ngay \d+ thang \d+ nam \d+"
)


def first_lines(text: str | None, *, count: int = 2, limit: int = 120) -> str:
    """The first ``count`` telling lines of a text (motto, date, bare labels skipped), cut to ``limit`` chars."""
    lines = [ln.strip() for ln in (text or "").replace("\f", "\n").splitlines()]
    lines = [ln for ln in lines if fold(ln)]
    telling = [ln for ln in lines if not _BOILERPLATE.search(fold(ln)) and not ln.endswith(":")] or lines[:1]
    out = " · ".join(telling[:count])
    return out if len(out) <= limit else out[: limit - 1].rstrip() + "…"


def reference_of(doc: dict) -> str:
    """The reference number a person quotes: the stored one, else a short form of the id (``#3FA9C2D1``)."""
    return doc.get("reference") or "#" + (doc.get("doc_id") or "")[:8].upper()


def kind_label(kind: str | None) -> str:
    """The kind of petition in words (``Khiếu nại``), whether stored as a code or as words."""
    if not kind:
        return ""
    code = _KINDS.get(fold(kind).replace("_", " ").removeprefix("don "))
    return t(f"kind.{code}") if code else kind


def title_of(doc: dict) -> str:
    """What a petition is called on screen: "<kind> — <petitioner>", else its first telling line."""
    kind, name = kind_label(doc.get("kind")), (doc.get("name") or "").strip()
    if kind and name:
        return f"{t('doc.kind_of', kind=kind)} — {name}"
    if name:
        return t("doc.letter_of", name=name)
    return doc.get("first_line") or first_lines(doc.get("text") or doc.get("head")) or t("doc.untitled")


def flags_of(value: str | None) -> list[str]:
    """A page's flags (stored as a JSON list of codes) in words."""
    try:
        codes = json.loads(value or "[]")
    except (TypeError, ValueError):
        codes = [value]
    if isinstance(codes, str):
        codes = [codes]
    return [t(f"flag.{c}") if f"flag.{c}" in _known_flags() else t("flag.other", code=c) for c in codes or []]


def _known_flags() -> set[str]:
    from hub.panel.strings import VI

    return {k for k in VI if k.startswith("flag.")}
