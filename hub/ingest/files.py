"""Petitions that arrive without a kiosk: UTF-8 text files and PDFs with a text layer.

One file is one document. The document id comes from the file's name and bytes, so
importing the same file again changes nothing and reports the same matches.
"""
from __future__ import annotations

import hashlib
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

log = logging.getLogger(__name__)
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Imported:
    source: str
    document_id: str
    duplicate_of: tuple[str, ...]
    already_present: bool


def read_text(path: Path) -> tuple[str, int, bytes]:
    """Text, page count and raw bytes of a .txt (UTF-8) or .pdf (text layer) file."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ImportFailed(f"{path}: cannot read: {e.strerror}",
                           message_vi="Không đọc được tệp.") from e
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"{path}: larger than {MAX_BYTES // 2**20} MB")
    suffix = path.suffix.lower()
    if suffix == ".txt":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise ImportFailed(
                f"{path}: not UTF-8 text (byte {e.start}); re-save it as UTF-8",
                message_vi="Tệp văn bản không phải mã UTF-8. Hãy lưu lại tệp dưới dạng UTF-8.",
            ) from e
        pages = max(1, text.count("\f") + 1)
    elif suffix == ".pdf":
        text, pages = _pdf_text(path, data)
    else:
        raise ImportFailed(f"{path}: only .txt and .pdf files can be imported",
                           message_vi="Chỉ nhập được tệp .txt hoặc .pdf.")
    text = nfc(text).strip()
    if not text:
        raise ImportFailed(f"{path}: no text in the file (a scanned PDF needs a kiosk or OCR first)",
                           message_vi="Tệp không có chữ. Hãy quét đơn qua máy quét tại điểm tiếp dân.")
    return text, pages, data


def _pdf_text(path: Path, data: bytes) -> tuple[str, int]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        texts = [(p.extract_text() or "") for p in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise ImportFailed(f"{path}: not a readable PDF: {e}",
                           message_vi="Tệp PDF bị hỏng hoặc không đọc được.") from e
    return "\f".join(texts), len(texts)


def import_file(db: sqlite_utils.Database, path: Path) -> Imported:
    """Store one file as a document and match it; repeat imports are recognised."""
    text, pages, data = read_text(path)
    # The same file imported again is the same document; the same letter under another name
    # (sent again, or to another office) is a new arrival, matched as an exact duplicate.
    doc_id = "imp-" + hashlib.sha256(path.name.encode() + b"\0" + data).hexdigest()[:28]
    with db.conn:
        created = insert_document(db, NewDocument(
            doc_id=doc_id, source="import", text=text, fingerprint=fingerprint(text),
            identity_keys=identity_keys(text), page_count=pages, source_name=path.name,
        ))
        if created:
            for i, page_text in enumerate(text.split("\f")):
                db["pages"].insert({"page_id": f"{doc_id}-p{i + 1}", "doc_id": doc_id, "idx": i,
                                    "text": page_text.strip(), "flags": "[]"})
            verdict: Verdict = match_document(db, doc_id)
            dups = () if isinstance(verdict, NewMatter) else tuple(m.doc_id for m in verdict.matches)
        else:
            dups = tuple(sorted(
                r[0] if r[1] == doc_id else r[1]
                for r in db.execute("select doc_b, doc_a from duplicate_pairs where "
                                    "(doc_a = ? or doc_b = ?) and coalesce(decision, 'proposed') in ('proposed', 'confirmed')",
                                    [doc_id, doc_id])))
    return Imported(str(path), doc_id, dups, not created)
