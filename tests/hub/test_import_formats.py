"""Every kind of file a petition arrives as at the hub, and a hostile or broken one of each."""
from __future__ import annotations

import io
import json
import signal
import struct
import subprocess
import sys
import time
import unicodedata
import zipfile
import zlib
from email.message import EmailMessage

import pytest
from PIL import Image

from hub.exceptions import ImportFailed
from hub.index import open_index
from hub.ingest.files import import_file
from tests.edge.test_pipeline import page_png

NAME, CCCD = "Trần Thị Bích Ngọc", "001190034567"
LETTER = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ĐƠN KIẾN NGHỊ",
    "Kính gửi: Ủy ban nhân dân phường Cửa Nam",
    f"Tôi tên là {NAME}, số CCCD {CCCD}, điện thoại 0912 345 678.",
    "Tôi đề nghị phường xử lý việc lấn chiếm vỉa hè trước số nhà 45 phố Hàng Bài "
    "gây ùn tắc giao thông vào giờ cao điểm từ tháng 3/2025.",
]


def imported_text(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    db = open_index(tmp_path / "index.db")
    res = import_file(db, path)
    return db["documents"].get(res.document_id)["text"]


def refused(tmp_path, name: str, data: bytes, *, within_s: float = 10.0) -> ImportFailed:
    path = tmp_path / name
    path.write_bytes(data)
    db = open_index(tmp_path / "index.db")
    start = time.monotonic()
    with pytest.raises(ImportFailed) as e:
        import_file(db, path)
    assert time.monotonic() - start < within_s
    assert e.value.message_vi and db["documents"].count == 0
    return e.value


def docx_bytes(lines=LETTER) -> bytes:
    import docx

    d = docx.Document()
    for line in lines[:4]:
        d.add_paragraph(line)
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Người làm đơn", NAME
    for line in lines[4:]:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def odt_bytes(lines=LETTER) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P, S, Span

    d = OpenDocumentText()
    d.text.addElement(H(outlinelevel=1, text=lines[0]))
    for line in lines[1:]:
        p = P()
        head, _, tail = line.partition(" ")
        p.addElement(Span(text=head))
        p.addElement(S(c=1))  # an ODF space element between words, as LibreOffice writes them
        p.addText(tail)
        d.text.addElement(p)
    buf = io.BytesIO()
    d.write(buf)
    return buf.getvalue()


def scan(fmt: str, *, at: int = 200, **save) -> bytes:
    img = Image.open(io.BytesIO(page_png(0.0, dpi=at)))
    buf = io.BytesIO()
    img.save(buf, fmt, **save)
    return buf.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


# --- text -------------------------------------------------------------------------------------

def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tones combining."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        d = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in tones)))
        out.extend(c for c in d if c in tones)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("utf-8"), lambda t: t.encode("utf-8-sig"), lambda t: t.encode("utf-16"),
    to_cp1258,
], ids=["utf-8", "utf-8-bom", "utf-16-bom", "windows-1258"])
def test_text_in_each_encoding_reads_as_the_same_letter(tmp_path, encode):
    text = imported_text(tmp_path, "don.txt", encode("\n".join(LETTER)))
    assert NAME in text and CCCD in text and "Ủy ban nhân dân phường Cửa Nam" in text


def test_text_in_no_known_encoding_is_refused(tmp_path):
    e = refused(tmp_path, "don.txt", "Đơn khiếu nại".encode("utf-16-le"))  # no mark
    assert "UTF-8" in e.detail and "UTF-8" in e.message_vi
    # Western European bytes read as 1258 give symbols and letters Vietnamese does not use.
    refused(tmp_path, "latin.txt", "Ærøskøbing Þórsmörk ðæþ ×÷".encode("cp1252"))


# --- Word and OpenDocument --------------------------------------------------------------------

def test_docx_paragraphs_and_tables(tmp_path):
    text = imported_text(tmp_path, "don.docx", docx_bytes())
    assert "Kính gửi: Ủy ban nhân dân phường Cửa Nam" in text and CCCD in text
    assert f"Người làm đơn\t{NAME}" in text
    assert text.index("ĐƠN KIẾN NGHỊ") < text.index("Người làm đơn") < text.index(CCCD)


def test_odt_headings_paragraphs_and_spaces(tmp_path):
    text = imported_text(tmp_path, "don.odt", odt_bytes())
    assert text.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert f"Tôi tên là {NAME}, số CCCD {CCCD}" in text


@pytest.mark.parametrize("name,xml", [("don.docx", "word/document.xml"), ("don.odt", "content.xml")])
def test_office_zip_bombs_and_broken_files_are_refused(tmp_path, name, xml):
    huge_xml = zip_bytes({"[Content_Types].xml": b"<x/>", xml: b" " * (40 * 2**20)})
    e = refused(tmp_path, name, huge_xml)
    assert "XML" in e.detail
    bomb = zip_bytes({"[Content_Types].xml": b"<x/>", "media/fill.bin": b"\0" * (100 * 2**20)})
    assert len(bomb) < 200_000
    assert "expands" in refused(tmp_path, "b" + name, bomb).detail
    e = refused(tmp_path, "c" + name, b"PK\x03\x04" + b"\x01" * 500)
    assert "not a readable" in e.detail


# --- e-mail -----------------------------------------------------------------------------------

def mail(body: str, attachments=()) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "dan@example.vn", "tiepdan@hanoi.gov.vn", "Gửi đơn kiến nghị"
    m.set_content(body)
    m.add_alternative(f"<html><body><p>{body}</p><img src='cid:logo1'></body></html>", subtype="html")
    for filename, data, maintype, subtype in attachments:
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return m.as_bytes()


def test_mail_is_its_body_then_each_attachment(tmp_path):
    cover = "Kính gửi quý cơ quan, tôi gửi kèm đơn kiến nghị của gia đình tôi."
    data = mail(cover, [
        ("don-kien-nghi.docx", docx_bytes(), "application",
         "vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("phu-luc.txt", "Phụ lục: ảnh chụp vỉa hè bị lấn chiếm.".encode(), "text", "plain"),
    ])
    text = imported_text(tmp_path, "thu.eml", data)
    assert text.index(cover) < text.index(CCCD) < text.index("Phụ lục")
    assert text.count(cover) == 1  # the HTML form of the body is not read again


def test_mail_without_attachments_is_its_body(tmp_path):
    text = imported_text(tmp_path, "thu.eml", mail("\n".join(LETTER)))
    assert NAME in text and CCCD in text


def test_forwarded_mail_inside_a_mail(tmp_path):
    inner = EmailMessage()
    inner["Subject"] = "Đơn"
    inner.set_content("\n".join(LETTER))
    outer = EmailMessage()
    outer["Subject"] = "Fwd: Đơn"
    outer.set_content("Chuyển tiếp đơn của công dân.")
    outer.add_attachment(inner)
    text = imported_text(tmp_path, "fwd.eml", outer.as_bytes())
    assert text.index("Chuyển tiếp") < text.index(CCCD)


def test_the_ocr_budget_is_the_whole_mails_not_each_attachments():
    from hub.ingest.formats import extract

    photo = ("don.png", scan("PNG", dpi=(200, 200)), "image", "png")
    # A budget already spent when the mail's first scanned page is read: that page is the last.
    with pytest.raises(ImportFailed, match="reading stopped"):
        extract("thu.eml", mail("Gửi kèm đơn.", [photo, photo]), deadline=time.monotonic())


def nested_mail(depth: int) -> bytes:
    head = b"From: a@b.vn\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
    body = b"Content-Type: text/plain\r\n\r\nDon\r\n"
    for k in range(depth):
        body = (f"Content-Type: multipart/mixed; boundary=b{k}\r\n\r\n--b{k}\r\n".encode()
                + body + f"\r\n--b{k}--\r\n".encode())
    return head + body


def test_deeply_nested_and_broken_mails_are_refused(tmp_path):
    assert "parts" in refused(tmp_path, "deep.eml", nested_mail(5000), within_s=5).detail
    assert "nested" in refused(tmp_path, "deep2.eml", nested_mail(20)).detail
    assert "Tôi" not in refused(tmp_path, "empty.eml", b"").detail
    bad = mail("Xem đơn đính kèm.", [("don.docx", b"PK\x03\x04broken", "application", "octet-stream")])
    e = refused(tmp_path, "badatt.eml", bad)
    assert "don.docx" in e.detail  # says which attachment


# --- scans and photos, read through the kiosk's page pipeline ----------------------------------

@pytest.mark.slow
def test_scanned_pdf_and_photos_are_read(tmp_path):
    for name, data in [
        ("scan.pdf", scan("PDF", resolution=200)),
        # A phone's JPEG says 72 dpi, which would make the page a metre long: read as A4.
        ("photo.jpg", scan("JPEG", quality=60, dpi=(72, 72))),
        ("photo.heic", _heic()),
    ]:
        text = imported_text(tmp_path, name, data)
        assert CCCD in text and "Cửa Nam" in text, name


def _heic() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    return scan("HEIF", quality=80)


@pytest.mark.slow
def test_multipage_tiff_and_a_fax(tmp_path):
    first = Image.open(io.BytesIO(page_png(0.0, dpi=200)))
    second = Image.open(io.BytesIO(page_png(90.0, dpi=200)))  # fed sideways
    buf = io.BytesIO()
    first.save(buf, "TIFF", save_all=True, append_images=[second], dpi=(200, 200),
               compression="tiff_lzw")
    db = open_index(tmp_path / "index.db")
    (tmp_path / "two.tif").write_bytes(buf.getvalue())
    res = import_file(db, tmp_path / "two.tif")
    pages = list(db["pages"].rows_where("doc_id = ?", [res.document_id], order_by="idx"))
    assert len(pages) == 2 and all(CCCD in p["text"] for p in pages)
    # A fax: 1-bit, rows at half the resolution of the columns (204 x 98 dpi).
    fax = first.resize((first.width * 204 // 200, first.height * 98 // 200)).point(lambda v: 255 * (v > 128))
    buf = io.BytesIO()
    fax.convert("1").save(buf, "TIFF", compression="group4", dpi=(204, 98))
    text = imported_text(tmp_path, "fax.tif", buf.getvalue())
    assert CCCD in text


def png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) \
        + chunk(b"IEND", b"")


def test_image_bombs_broken_images_and_page_floods_are_refused(tmp_path):
    assert "refused" in refused(tmp_path, "bomb.png", png_header(30000, 30000)).detail
    assert "refused" in refused(tmp_path, "wide.png", png_header(20000, 2500)).detail
    # A small page whose header claims 2 x 300 dpi would be stretched 150 times across to square pixels.
    stretched = io.BytesIO()
    Image.new("L", (1000, 1000), 255).save(stretched, format="TIFF", dpi=(2, 300))
    assert "square pixels" in refused(tmp_path, "stretched.tif", stretched.getvalue()).detail
    jpeg = scan("JPEG", dpi=(200, 200))
    assert "not a readable image" in refused(tmp_path, "cut.jpg", jpeg[:200]).detail
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(3000):
        w.add_blank_page(595, 842)
    buf = io.BytesIO()
    w.write(buf)
    assert "3000 pages" in refused(tmp_path, "flood.pdf", buf.getvalue()).detail
    assert "not a readable PDF" in refused(tmp_path, "broken.pdf", b"%PDF-1.4 broken").detail


def test_oversize_and_unknown_files_are_refused(tmp_path):
    big = tmp_path / "big.pdf"
    with open(big, "wb") as f:  # sparse: refused from its size, never read
        f.truncate(60 * 2**20)
    db = open_index(tmp_path / "index.db")
    with pytest.raises(ImportFailed, match="larger than"):
        import_file(db, big)
    assert ".docx" in refused(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 100).detail
    assert "accepted" in refused(tmp_path, "sheet.xlsb", b"\x01\x02binary").detail


# --- the watched folder -----------------------------------------------------------------------

def test_watched_folder_takes_finished_files_and_sets_aside_bad_ones(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "hub", "import", "--db", str(tmp_path / "i.db"),
                             "--json", "--watch", str(inbox), "--poll", "0.2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        (inbox / "don.docx").write_bytes(docx_bytes())
        (inbox / "hong.odt").write_bytes(b"PK\x03\x04 broken")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
                (inbox / "done" / "don.docx").exists() and (inbox / "failed" / "hong.odt").exists()):
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert (inbox / "done" / "don.docx").exists() and not (inbox / "don.docx").exists()
    reason = (inbox / "failed" / "hong.odt.error.txt").read_text(encoding="utf-8")
    assert "import_failed" in reason and "không đọc được" in reason
    lines = [json.loads(line) for line in out.splitlines()]
    assert {bool(x.get("document_id")) for x in lines} == {True, False}
    assert NAME not in err  # logs never carry petition text


@pytest.mark.slow
def test_a_colour_photo_with_a_seal_reads_through_it(tmp_path):
    from tests.edge.test_imaging_colour import stamped_letter

    buf = io.BytesIO()
    stamped_letter().save(buf, "JPEG", quality=85, dpi=(200, 200))
    text = imported_text(tmp_path, "seal.jpg", buf.getvalue())
    assert text.count(CCCD) == 2


def test_a_reader_tripping_on_a_hostile_file_fails_that_file_only(tmp_path):
    # A zip that passes the bomb checks but whose document part is not XML at all.
    odd = zip_bytes({"[Content_Types].xml": b"\xff\xfe not xml", "word/document.xml": b"\0\1\2"})
    out = subprocess.run([sys.executable, "-m", "hub", "import", "--db", str(tmp_path / "i.db"), "--json",
                          str(_put(tmp_path, "odd.docx", odd)), str(_put(tmp_path, "ok.docx", docx_bytes()))],
                         capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert lines[0]["error"] == "import_failed" and lines[0]["message_vi"]
    assert lines[1]["document_id"] and out.returncode == 1


def _put(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path
