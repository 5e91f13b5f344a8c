from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hub.index import open_index
from hub.ingest.files import import_file
from tests.edge.test_pipeline import page_png

LETTER = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nĐƠN PHẢN ÁNH\n"
          "Kính gửi: Ủy ban nhân dân phường Đống Đa\nTôi tên là Phạm Thị Hoa, CCCD 001185067890, "
          "điện thoại 0903 111 222. Tôi phản ánh việc cơ sở sản xuất tại số 17 ngõ 90 phố Chùa Bộc "
          "xả khói bụi gây ô nhiễm từ tháng 6/2025, đề nghị phường kiểm tra và xử lý.\n") * 2


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hub", *args], capture_output=True, text=True,
                          timeout=300)


def test_text_files_and_their_copies(tmp_path):
    a = tmp_path / "email-1.txt"
    a.write_text(LETTER, encoding="utf-8")
    b = tmp_path / "online-form-7.txt"
    b.write_text(LETTER.replace("Đơn phản ánh".upper(), "ĐƠN PHẢN ÁNH (GỬI LẦN 2)"), encoding="utf-8")
    db_path = tmp_path / "index.db"
    out = run_cli("import", "--db", str(db_path), "--json", str(a), str(b))
    assert out.returncode == 0, out.stderr
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert first["source"] == str(a) and first["duplicate_of"] == []
    assert second["duplicate_of"] == [first["document_id"]]
    dups = json.loads(run_cli("duplicates", "--db", str(db_path), "--json").stdout)
    assert dups == {"clusters": [{"documents": sorted([first["document_id"], second["document_id"]])}]}


def test_importing_the_same_file_again_changes_nothing(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(LETTER, encoding="utf-8")
    db = open_index(tmp_path / "index.db")
    one, two = import_file(db, a), import_file(db, a)
    assert one.document_id == two.document_id and two.already_present
    assert db["documents"].count == 1


def test_not_utf8_gets_clear_error_and_other_files_still_import(tmp_path):
    bad = tmp_path / "utf16-no-mark.txt"
    bad.write_bytes("Đơn khiếu nại".encode("utf-16-le"))
    good = tmp_path / "good.txt"
    good.write_text(LETTER, encoding="utf-8")
    out = run_cli("import", "--db", str(tmp_path / "i.db"), "--json", str(bad), str(good))
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert lines[0]["error"] == "import_failed" and "UTF-8" in lines[0]["detail"]
    assert "UTF-8" in lines[0]["message_vi"]
    assert lines[1]["document_id"]
    assert out.returncode == 1


@pytest.mark.slow
def test_pdf_with_text_layer(tmp_path):
    png = tmp_path / "page.png"
    png.write_bytes(page_png(0.0))
    subprocess.run(["tesseract", str(png), str(tmp_path / "scan"), "-l", "vie", "pdf"],
                   check=True, capture_output=True, timeout=120, env={"OMP_THREAD_LIMIT": "1"})
    db = open_index(tmp_path / "index.db")
    res = import_file(db, tmp_path / "scan.pdf")
    text = db["documents"].get(res.document_id)["text"]
    assert "Cửa Nam" in text and "001190034567" in text
    empty = tmp_path / "broken.pdf"
    empty.write_bytes(b"%PDF-1.4 broken")
    with pytest.raises(Exception) as e:
        import_file(db, empty)
    assert getattr(e.value, "code", "") == "import_failed"


def test_a_panel_user_password_from_a_script_comes_on_standard_input(tmp_path):
    """Not on a command line (visible to every user), and one starting with '-' is no option."""
    from hub.panel.users import verify_user

    db_path = tmp_path / "index.db"
    out = subprocess.run([sys.executable, "-m", "hub", "user", "--db", str(db_path), "admin", "--name", "Quản trị"],
                         input="-KHglPhVpe0d\n", capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert verify_user(open_index(db_path), "admin", "-KHglPhVpe0d")
    assert not verify_user(open_index(db_path), "admin", "KHglPhVpe0d")
