"""Petition fields read from a letter's text, through OCR noise; and the validator of fields from outside."""
from __future__ import annotations

import pytest

from edge.fields import FieldsInvalid, clean, extract
from tests.bench.bench_fields import SURE, hand_written, score


def test_hand_written_layouts_are_read_field_by_field():
    table = score(hand_written())
    # Two letters give an address without any label ("ở số 2 phố …"): the only misses.
    assert {f: acc for f, (acc, _) in table.items() if acc < 1.0} == {"address": 10 / 12}
    assert all(sure == 1.0 for _, sure in table.values())


def test_ocr_noise_in_labels_and_digits_is_tolerated():
    got = extract("Ho va tèn: Nguyen Van An\nCCCD/CMND sô 0O1 O85.OO7 321\n"
                  "Dia chl: so 5 ngo 10 pho Tay Son, quan Dong Da\nSĐT +84 912 345 678\n"
                  "Ha Noi, ngay 2O thang 1O nam 2O25\nDON KHIEU NAI\n")
    assert (got.name, got.id_number, got.phone, got.letter_date, got.kind) == (
        "Nguyen Van An", "001085007321", "0912345678", "2025-10-20", "khiếu nại")
    assert got.address.startswith("so 5 ngo 10")


def test_a_number_read_with_a_digit_missing_is_shown_as_unsure():
    got = extract("Họ và tên: Lê Văn Tám\nSố CCCD: 00108500732\n")
    assert got.id_number == "00108500732"[:12] and got.confidence["id_number"] < SURE
    assert got.confidence["name"] >= SURE


def test_a_letter_without_particulars_gives_empty_fields():
    got = extract("Kính gửi: Ban Tiếp công dân\nTôi xin cảm ơn các cán bộ đã tận tình giúp đỡ gia đình tôi.\n")
    assert got.name == got.id_number == got.phone == ""
    assert got.kind == "other" and got.addressee == "Ban Tiếp công dân"


def test_clean_accepts_what_extract_gives_and_a_clerks_correction():
    f = extract("Họ và tên: Lê Văn Tám\nSố CCCD: 001085007321\n")
    again = clean(f.to_dict())
    assert again == f and again.confidence == f.confidence
    fixed = again.corrected({"name": "Lê Văn Thắm"})
    assert fixed.name == "Lê Văn Thắm" and fixed.confidence["name"] == 1.0


@pytest.mark.parametrize("bad", [
    {"name": "x" * 301}, {"id_number": "00108500732a"}, {"id_number": "1" * 13}, {"name": 5},
    {"kind": "thư tình"}, {"letter_date": "20/10/2025"}, {"confidence": {"name": 2}}, [],
    {"phone": "0912-abc"},
])
def test_clean_rejects_what_a_hostile_kiosk_might_send(bad):
    with pytest.raises(FieldsInvalid):
        clean(bad)
