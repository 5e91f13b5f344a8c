"""Pages of a scanned batch → documents → wire messages.

One ADF batch is one document, unless the staff put separator sheets between
petitions: a page whose text carries the separator title ("PHIẾU TÁCH ĐƠN") ends one
document and starts the next; the separator itself belongs to no document.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from edge.fields import PetitionFields, extract
from edge.fingerprint.normalize import fold
from edge.pipeline import fingerprint_document
from edge.review import Draft, ReviewDesk, remember
from edge.wire import DocumentMessage, PageImageMessage, PageInfo, new_id, now_iso, topic

if TYPE_CHECKING:
    from edge.outbox.spool import Spool

log = logging.getLogger(__name__)
SEPARATOR_TITLE = "PHIẾU TÁCH ĐƠN"
_SEPARATOR_FOLDED = fold(SEPARATOR_TITLE)


@dataclass(frozen=True)
class BuiltDocument:
    doc_id: str
    page_ids: tuple[str, ...]
    messages: tuple[tuple[str, str, bytes], ...]  # (msg_id, topic, payload), pages first


def is_separator(text: str) -> bool:
    """Does this page's OCR text say it is a separator sheet?"""
    return _SEPARATOR_FOLDED in fold(text[:400])


def split_documents(pages: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Group a batch's spool rows (in scan order) into documents at separator sheets."""
    groups: list[list[dict[str, Any]]] = [[]]
    for row in pages:
        result = json.loads(row["result"]) if row.get("result") else {}
        if row["state"] == "done" and is_separator(result.get("text", "")):
            groups.append([])
        else:
            groups[-1].append(row)
    return [g for g in groups if g]


def build_document(*, device_id: str, batch_id: str, scanned_at: str,
                   rows: list[dict[str, Any]], meta: dict[str, Any] | None = None) -> BuiltDocument:
    """Wire messages of one document: each page image, then the document itself."""
    doc_id = new_id()
    infos: list[PageInfo] = []
    messages: list[tuple[str, str, bytes]] = []
    for i, row in enumerate(rows):
        result = json.loads(row["result"]) if row.get("result") else {}
        if row["state"] == "done":
            image, mime = row["archive"], row["archive_mime"]
            flags = tuple(result.get("flags", ()))
        else:  # unreadable page: the hub still gets the bytes as scanned, flagged for review
            image, mime = row["raw"], "application/octet-stream"
            flags = ("unreadable", row.get("error_code") or "error")
        sha = hashlib.sha256(image).hexdigest()
        infos.append(PageInfo(
            page_id=row["page_id"], index=i, image_sha256=sha,
            skew_degrees=float(result.get("skew_degrees", 0.0)),
            ocr_confidence=float(result.get("ocr_confidence", 0.0)),
            text=result.get("text", ""), flags=flags,
        ))
        msg = PageImageMessage(
            msg_id=new_id(), device_id=device_id, sent_at=now_iso(), doc_id=doc_id,
            page_id=row["page_id"], index=i, mime=mime, width=int(result.get("width", 0)),
            height=int(result.get("height", 0)), dpi=int(row.get("dpi") or 0),
            image_sha256=sha, image=image, pdf=row.get("pdf") or b"",
        )
        messages.append((msg.msg_id, topic(device_id, "page"), msg.to_json()))
    printed = fingerprint_document([p.text for p in infos])
    doc = DocumentMessage(
        msg_id=new_id(), device_id=device_id, sent_at=now_iso(), doc_id=doc_id, batch_id=batch_id,
        scanned_at=scanned_at, page_count=len(infos), pages=tuple(infos),
        fingerprint=printed.fingerprint, identity_keys=printed.identity_keys, meta=meta or {},
    )
    messages.append((doc.msg_id, topic(device_id, "doc"), doc.to_json()))
    return BuiltDocument(doc_id, tuple(r["page_id"] for r in rows), tuple(messages))


# -- what a person reads a document by ---------------------------------------------------------
# The kiosk stands in Hanoi: references and the screen use its local date and time.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REFERENCE_SEQ_KEY = "reference_seq"


def next_reference(spool: Spool, device_id: str, now: datetime | None = None) -> str:
    """The next reference of this kiosk, ``K01-081226-0007``: device, local date, daily number.

    The day's counter lives in the spool's settings, so it survives a restart.
    """
    day = (now or datetime.now(LOCAL_TZ)).astimezone(LOCAL_TZ).strftime("%d%m%y")
    try:
        saved = json.loads(spool.get_setting(REFERENCE_SEQ_KEY, "{}"))
    except ValueError:
        saved = {}
    n = int(saved.get("n", 0)) + 1 if saved.get("day") == day else 1
    spool.set_setting(REFERENCE_SEQ_KEY, json.dumps({"day": day, "n": n}))
    return f"{device_id.upper()}-{day}-{n:04d}"


def page_is_blank(row: dict[str, Any]) -> bool:
    """A processed page with nothing on it (flagged blank, or not one word read)."""
    if row["state"] != "done":
        return False  # an unreadable page is sent for review, not taken for blank
    result = json.loads(row["result"]) if row.get("result") else {}
    return bool(result.get("blank")) or not result.get("text", "").strip()


def document_text(rows: list[dict[str, Any]]) -> str:
    """The OCR text of a document's pages, in order."""
    return "\n".join((json.loads(r["result"]) if r.get("result") else {}).get("text", "") for r in rows)


def draft_fields(rows: list[dict[str, Any]]) -> PetitionFields:
    """The petition fields read from a document's pages."""
    return extract(document_text(rows))


def assemble_batch(batch: dict[str, Any], *, spool: Spool, desk: ReviewDesk, device_id: str) -> int | None:
    """A processed batch → its documents (with fields and references) → the outbox.

    Held first at the clerk's desk when review is on; a batch of blank pages only is kept
    aside (its pages stay in the spool) unless the clerk says to send it anyway. Returns the
    number of documents queued, or None while the batch waits.
    """
    batch_id = batch["batch_id"]
    if desk.waiting(batch_id):  # not its pages' bytes twice a second while it waits
        return None
    rows = spool.batch_pages(batch_id)
    if rows and all(page_is_blank(r) for r in rows):
        first = batch_id not in desk.blank
        if desk.keep_blank(batch_id, len(rows)):
            if first:
                log.info("batch %s: all %d page(s) blank, kept aside", batch_id, len(rows))
            return None
    groups = split_documents(rows)
    held = desk.hold(batch_id, lambda: [
        Draft(next_reference(spool, device_id), draft_fields(g), len(g)) for g in groups])
    if not desk.ready(batch_id):
        return None
    built = [build_document(device_id=device_id, batch_id=batch_id, scanned_at=batch["started_at"],
                            rows=group, meta={"source": batch["source"], "reference": d.reference,
                                              "fields": d.wire_fields()})
             for d, group in zip(held.drafts, groups, strict=True)]
    spool.finish_batch(batch_id, documents=[(b.doc_id, len(b.page_ids), b.messages) for b in built])
    desk.done(batch_id)
    remember(spool, [{"doc_id": b.doc_id, "reference": d.reference, "name": d.fields.name}
                     for b, d in zip(built, held.drafts, strict=True)])
    log.info("batch %s: %d document(s) queued", batch_id, len(built))
    return len(built)
