"""Cases: CSV import of the city's case list, status on documents, re-submission of a resolved case."""
from __future__ import annotations

import json

from hub.cases import import_csv, join_case_of
from hub.cli import main
from hub.dedup import Resubmission
from hub.index import open_index
from hub.ingest.files import import_file

LETTER = ("Kính gửi Ủy ban nhân dân phường Láng. Tôi là Đỗ Minh Châu, CCCD 001090011223. "
          "Tôi khiếu nại Quyết định số 556/QĐ-UBND về bồi thường thửa đất số 31 tờ bản đồ 4, "
          "diện tích 72,4 m² tại ngõ 9 phố Chùa Láng; giá bồi thường thấp hơn giá thị trường. ") * 3


def test_csv_in_vietnamese_excel_form_imports_cases_and_reports_bad_rows(tmp_path):
    db = open_index(tmp_path / "i.db")
    (tmp_path / "a.txt").write_text(LETTER, encoding="utf-8")
    doc = import_file(db, tmp_path / "a.txt").document_id
    csv_text = ("Số hồ sơ;Trạng thái;Ngày giải quyết;Ngày nhận;Nội dung;Mã đơn\n"
                f"HS-2025-0142;Đã giải quyết;03/02/2026;12/11/2025;Khiếu nại bồi thường;{doc}\n"
                "HS-2025-0143;Đang xử lý;;15/11/2025;Kiến nghị tiếng ồn;\n"
                "HS-2025-0144;Đã giải quyết;;;Thiếu ngày;\n"
                "HS-2025-0145;Tạm dừng;;;Trạng thái lạ;\n"
                ";Đang xử lý;;;Không có số;\n")
    path = tmp_path / "ds.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text.encode("utf-8"))  # Excel writes a BOM
    report = import_csv(db, path, by="import-test")
    assert (report.cases, report.documents_linked) == (2, 1)
    assert [line for line, _ in report.errors] == [4, 5, 6]
    case = db["cases"].get("HS-2025-0142")
    assert (case["status"], case["resolved_on"], case["received_on"]) == ("resolved", "2026-02-03", "2025-11-12")
    d = db["documents"].get(doc)
    assert (d["case_ref"], d["status"], d["resolved_at"]) == ("HS-2025-0142", "resolved", "2026-02-03")
    assert db["case_events"].count_where("by = 'import-test'") >= 2


def test_resubmission_after_the_case_list_says_resolved(tmp_path):
    db = open_index(tmp_path / "i.db")
    (tmp_path / "a.txt").write_text(LETTER, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Tôi gửi lại đơn vì chưa được trả lời thỏa đáng.\n" + LETTER, encoding="utf-8")
    first = import_file(db, tmp_path / "a.txt").document_id
    (tmp_path / "c.csv").write_text(f"case_ref,status,resolved_on,doc_ids\nHS-9,resolved,2026-01-20,{first}\n",
                                    encoding="utf-8")
    import_csv(db, tmp_path / "c.csv", by="t")
    second = import_file(db, tmp_path / "b.txt").document_id
    from hub.dedup import match_document

    verdict = match_document(db, second)
    assert isinstance(verdict, Resubmission)
    assert verdict.resolved[0].case_ref == "HS-9" and verdict.resolved[0].resolved_at == "2026-01-20"
    assert join_case_of(db, first, second, by="canbo1") == "HS-9"
    assert db["documents"].get(second)["case_ref"] == "HS-9"


def test_cli_cases_import_and_set(tmp_path, capsys):
    db_path = tmp_path / "i.db"
    (tmp_path / "c.csv").write_text("so_ho_so,trang_thai\nHS-1,Đang xử lý\nHS-2,không rõ\n", encoding="utf-8")
    assert main(["cases", "import", "--db", str(db_path), "--json", str(tmp_path / "c.csv")]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["cases"] == 1 and out["errors"][0]["line"] == 3
    assert main(["cases", "set", "--db", str(db_path), "HS-1", "--status", "resolved",
                 "--resolved-on", "2026-02-01"]) == 0
    assert open_index(db_path)["cases"].get("HS-1")["status"] == "resolved"
    assert main(["cases", "set", "--db", str(db_path), "HS-1", "--status", "resolved"]) != 0


def test_new_case_numbers_follow_the_year_and_keep_imported_ones(tmp_path):
    from hub.cases import new_case_ref, set_status
    from hub.index import open_index

    db = open_index(tmp_path / "n.db")
    with db.conn:
        set_status(db, "HS-2026/0041", "received", None, by="csv", via="csv")  # imported
        set_status(db, "QĐ-77/2019", "resolved", "2019-05-02", by="csv", via="csv")
        assert new_case_ref(db, by="op", year=2026) == "HS-2026/0042"
        assert new_case_ref(db, by="op", year=2027) == "HS-2027/0001"
    assert db["cases"].get("QĐ-77/2019")["status"] == "resolved"
    assert db["case_events"].count_where("via = 'review'") == 2


def test_a_file_without_a_case_number_column_is_named_in_the_error(tmp_path):
    import pytest

    from hub.cases import import_data
    from hub.exceptions import ImportFailed

    db = open_index(tmp_path / "i.db")
    with pytest.raises(ImportFailed) as e:
        import_data(db, "ho_ten,trang_thai\nAn,Đã giải quyết\n".encode(), name="danh-sach.csv", by="t")
    assert e.value.detail.startswith("danh-sach.csv: no case number column")
    assert e.value.message_vi == "Tệp không có cột số hồ sơ (so_ho_so)."
    assert db.execute("select count(*) from cases").fetchone()[0] == 0
