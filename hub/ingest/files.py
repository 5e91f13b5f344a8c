"""Petitions that arrive without a kiosk: text, Word, OpenDocument, e-mail, PDF and scanned files.

One file is one document. The document id comes from the file's name and bytes, so
importing the same file again changes nothing and reports the same matches.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from edge.fingerprint.identity import identity_keys
from edge.fingerprint.minhash import fingerprint
from edge.fingerprint.normalize import nfc
from hub.dedup.match import NewMatter, Verdict, match_document
from hub.exceptions import ImportFailed
from hub.index.documents import NewDocument, insert_document
from hub.ingest.formats import PageText, extract, limits, too_large

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Imported:
    source: str
    document_id: str
    duplicate_of: tuple[str, ...]
    already_present: bool


def read_pages(path: Path) -> tuple[list[PageText], bytes]:
    """The pages of one file of any accepted kind, and its raw bytes; ImportFailed if unreadable."""
    try:
        size = path.stat().st_size
        if size > limits.MAX_FILE_BYTES:  # refused before reading it into memory
            raise too_large(str(path))
        data = path.read_bytes()
    except OSError as e:
        raise ImportFailed(f"{path}: cannot read: {e.strerror}",
                           message_vi="Không đọc được tệp.") from e
    pages = [PageText(nfc(p.text).strip(), p.flags) for p in extract(str(path), data)]
    if not any(p.text for p in pages):
        raise ImportFailed(f"{path}: no text in the file",
                           message_vi="Tệp không có chữ đọc được.")
    return pages, data


def import_file(db: sqlite_utils.Database, path: Path) -> Imported:
    """Store one file as a document and match it; repeat imports are recognised."""
    pages, data = read_pages(path)
    text = "\f".join(p.text for p in pages)
    # The same file imported again is the same document; the same letter under another name
    # (sent again, or to another office) is a new arrival, matched as an exact duplicate.
    doc_id = "imp-" + hashlib.sha256(path.name.encode() + b"\0" + data).hexdigest()[:28]
    with db.conn:
        created = insert_document(db, NewDocument(
            doc_id=doc_id, source="import", text=text, fingerprint=fingerprint(text),
            identity_keys=identity_keys(text), page_count=len(pages), source_name=path.name,
        ))
        if created:
            for i, page in enumerate(pages):
                db["pages"].insert({"page_id": f"{doc_id}-p{i + 1}", "doc_id": doc_id, "idx": i,
                                    "text": page.text, "flags": json.dumps(list(page.flags))})
            verdict: Verdict = match_document(db, doc_id)
            dups = () if isinstance(verdict, NewMatter) else tuple(m.doc_id for m in verdict.matches)
        else:
            dups = tuple(sorted(
                r[0] if r[1] == doc_id else r[1]
                for r in db.execute("select doc_b, doc_a from duplicate_pairs where "
                                    "(doc_a = ? or doc_b = ?) and coalesce(decision, 'proposed') in ('proposed', 'confirmed')",
                                    [doc_id, doc_id])))
    return Imported(str(path), doc_id, dups, not created)
