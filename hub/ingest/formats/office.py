"""Word (.docx, python-docx) and OpenDocument (.odt, odfpy) letters, after a check of the zip."""
from __future__ import annotations

import io
import zipfile

from hub.exceptions import ImportFailed
from hub.ingest.formats import limits


def check_zip(data: bytes, name: str, *, kind: str) -> zipfile.ZipFile:
    """Open an office file's zip, refusing a bomb (sizes, member count, ratio) before any unpacking.

    The stdlib reader never returns more than a member's declared size (a lie fails its CRC), so
    bounding the declared sizes bounds what python-docx and odfpy can unpack.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as e:
        raise _broken(name, kind, f"not a zip archive: {e}") from e
    if len(infos) > limits.MAX_ZIP_MEMBERS:
        raise _hostile(name, f"{len(infos)} parts in the archive (limit {limits.MAX_ZIP_MEMBERS})")
    total = sum(i.file_size for i in infos)
    if total > limits.MAX_UNZIPPED_BYTES:
        raise _hostile(name, f"unpacks to {total // 2**20} MB (limit {limits.MAX_UNZIPPED_BYTES // 2**20} MB)")
    for i in infos:
        if i.filename.endswith(".xml") and i.file_size > limits.MAX_XML_BYTES:
            raise _hostile(name, f"{i.filename} is {i.file_size // 2**20} MB of XML "
                                 f"(limit {limits.MAX_XML_BYTES // 2**20} MB)")
        if i.file_size > 1024 * 1024 and i.file_size > limits.MAX_ZIP_RATIO * max(1, i.compress_size):
            raise _hostile(name, f"{i.filename} expands {i.file_size // max(1, i.compress_size)}:1")
    return zf


def docx_text(data: bytes, name: str) -> str:
    """Paragraphs and table cells of a .docx in reading order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    check_zip(data, name, kind="Word")
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    cells: list[str] = []
                    for cell in row.cells:  # a merged cell is repeated across the row
                        if not cells or cell.text != cells[-1]:
                            cells.append(cell.text)
                    lines.append("\t".join(cells))
            else:
                lines.append(block.text)
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, SyntaxError) as e:
        raise _broken(name, "Word", f"{type(e).__name__}: {e}") from e
    except Exception as e:  # lxml's XMLSyntaxError and python-docx's own errors
        if type(e).__module__.startswith(("lxml", "docx")):
            raise _broken(name, "Word", f"{type(e).__name__}: {e}") from e
        raise
    return "\n".join(lines)


def odt_text(data: bytes, name: str) -> str:
    """Headings and paragraphs of an .odt (tables and lists included) in reading order."""
    import xml.sax

    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    check_zip(data, name, kind="OpenDocument")
    try:
        document = load(io.BytesIO(data))
    except (KeyError, ValueError, zipfile.BadZipFile, xml.sax.SAXException, AttributeError) as e:
        raise _broken(name, "OpenDocument", f"{type(e).__name__}: {e}") from e
    lines: list[str] = []
    stack = [document.text]
    while stack:  # depth-first, in document order, without recursion (nesting is the file's)
        node = stack.pop()
        if getattr(node, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h")):
            lines.append(teletype.extractText(node))
            continue
        stack.extend(reversed(getattr(node, "childNodes", [])))
    return "\n".join(lines)


def _broken(name: str, kind: str, why: str) -> ImportFailed:
    return ImportFailed(f"{name}: not a readable {kind} file: {why}",
                        message_vi="Tệp văn bản (Word/OpenDocument) bị hỏng hoặc không đọc được.")


def _hostile(name: str, why: str) -> ImportFailed:
    return ImportFailed(f"{name}: refused: {why}",
                        message_vi="Tệp quá lớn khi giải nén, có thể là tệp độc hại; không nhập.")
