"""Case records in the city index (tables ``cases`` and ``case_events``).

A document joins a case through ``documents.case_ref``; the case's status and resolution
date are copied onto its documents, so matching (re-submission of a resolved case) and the
lists read one table. Every change is an event with who, when and how (panel, CSV, review).
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import sqlite_utils

STATUSES = ("received", "in_progress", "resolved")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def set_status(db: sqlite_utils.Database, case_ref: str, status: str, resolved_on: str | None, *, by: str,
               via: str, title: str | None = None, received_on: str | None = None) -> None:
    """Create or update a case and copy its status onto its documents (caller commits)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    if status == "resolved":
        if not resolved_on:
            raise ValueError("a resolved case needs its resolution date")
        date.fromisoformat(resolved_on)
    else:
        resolved_on = None
    now = _now()
    current = db.execute("select 1 from cases where case_ref = ?", [case_ref]).fetchone()
    values = {"status": status, "resolved_on": resolved_on, "updated_at": now, "updated_by": by}
    if title is not None:
        values["title"] = title
    if received_on is not None:
        values["received_on"] = received_on
    if current:
        db["cases"].update(case_ref, values)
    else:
        db["cases"].insert({"case_ref": case_ref, "source": via, **values})
    db.execute("update documents set status = ?, resolved_at = ? where case_ref = ?", [status, resolved_on, case_ref])
    db["case_events"].insert({"case_ref": case_ref, "doc_id": None, "status": status, "resolved_on": resolved_on,
                              "by": by, "at": now, "via": via})


def assign(db: sqlite_utils.Database, doc_id: str, case_ref: str, *, by: str, via: str) -> None:
    """Put a document in a case (created as ``received`` if new); it takes the case's status."""
    row = db.execute("select status, resolved_on from cases where case_ref = ?", [case_ref]).fetchone()
    if row is None:
        doc = db.execute("select status, resolved_at from documents where doc_id = ?", [doc_id]).fetchone()
        status, resolved = (doc[0] or "received", doc[1]) if doc else ("received", None)
        db["cases"].insert({"case_ref": case_ref, "status": status, "resolved_on": resolved, "source": via,
                            "updated_at": _now(), "updated_by": by})
        row = (status, resolved)
    db.execute("update documents set case_ref = ?, status = ?, resolved_at = ? where doc_id = ?",
               [case_ref, row[0], row[1], doc_id])
    db["case_events"].insert({"case_ref": case_ref, "doc_id": doc_id, "status": row[0], "resolved_on": row[1],
                              "by": by, "at": _now(), "via": via})


def join_case_of(db: sqlite_utils.Database, doc_a: str, doc_b: str, *, by: str) -> str | None:
    """After a confirmed pair: if exactly one document has a case, the other joins it. Returns the case."""
    refs = dict(db.execute("select doc_id, case_ref from documents where doc_id in (?, ?)", [doc_a, doc_b]))
    ra, rb = refs.get(doc_a), refs.get(doc_b)
    if bool(ra) == bool(rb):
        return None
    ref, other = (ra, doc_b) if ra else (rb, doc_a)
    assign(db, other, ref, by=by, via="review")
    return ref


def new_case_ref(db: sqlite_utils.Database, *, by: str, year: int | None = None) -> str:
    """Open a new case ``HS-YYYY/NNNN`` (the next number of the year; caller commits)."""
    year = year or datetime.now(UTC).year
    prefix = f"HS-{year}/"
    last = db.execute("select max(case_ref) from cases where case_ref like ? and length(case_ref) = ?",
                      [prefix + "%", len(prefix) + 4]).fetchone()[0]
    n = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    ref, at = f"{prefix}{n:04d}", _now()
    db["cases"].insert({"case_ref": ref, "status": "received", "source": "review", "received_on": date.today().isoformat(),
                        "updated_at": at, "updated_by": by})
    db["case_events"].insert({"case_ref": ref, "doc_id": None, "status": "received", "resolved_on": None,
                              "by": by, "at": at, "via": "review"})
    return ref


# A re-submission: a letter matched (proposed or confirmed) with a letter of a resolved matter,
# that arrived after the resolution date and was not among the matter's letters when it was
# resolved (copies filed together and resolved together are not re-submissions of each other).
# SQL over ``documents d`` so lists can filter and flag with it.
_NOT_FILED_WHEN_RESOLVED = """not (d.case_ref is not null and d.case_ref = o.case_ref and exists(
        select 1 from case_events e1 where e1.case_ref = d.case_ref and e1.doc_id = d.doc_id
        and e1.id < (select max(e2.id) from case_events e2 where e2.case_ref = d.case_ref
                     and e2.status = 'resolved' and e2.doc_id is null)))"""
_RESOLVED_OTHER = f"""o.status = 'resolved' and o.resolved_at < substr(d.received_at, 1, 10)
              and {_NOT_FILED_WHEN_RESOLVED}"""
RESUBMISSION_SQL = f"""(
    exists(select 1 from duplicate_pairs x join documents o on o.doc_id = x.doc_b
           where x.doc_a = d.doc_id and x.decision in ('proposed', 'confirmed') and {_RESOLVED_OTHER})
    or exists(select 1 from duplicate_pairs y join documents o on o.doc_id = y.doc_a
              where y.doc_b = d.doc_id and y.decision in ('proposed', 'confirmed') and {_RESOLVED_OTHER})
)"""


def resubmission_of(db: sqlite_utils.Database, doc_id: str) -> dict | None:
    """The resolved matter a document repeats (case number, resolution date, letter), or None."""
    row = db.execute(
        f"""select o.doc_id, o.case_ref, o.resolved_at from documents d
           join duplicate_pairs p on (p.doc_a = d.doc_id or p.doc_b = d.doc_id)
                and p.decision in ('proposed', 'confirmed')
           join documents o on o.doc_id = case when p.doc_a = d.doc_id then p.doc_b else p.doc_a end
           where d.doc_id = ? and {_RESOLVED_OTHER}
           order by o.resolved_at desc limit 1""", [doc_id]).fetchone()
    return {"doc_id": row[0], "case_ref": row[1], "resolved_at": row[2]} if row else None
