"""Template text every petition shares, left out of fingerprints (fixed per fingerprint version).

Official petition forms (Decree 124/2020/NĐ-CP form 01, the city's reception forms) and
common letter etiquette put the same phrases in every letter: the national motto, the
addressee line, the labels of the petitioner's particulars, the promise and the closing.
Two different matters on one form share all of them, so they would make look-alikes of
letters that are not. Shingles lying wholly inside these phrases are dropped before
hashing; what fills the blanks (names, numbers, places) is kept. The hub additionally
discounts shingles it finds frequent across its own index (``hub.dedup.boilerplate``).
"""
from __future__ import annotations

import numpy as np

from edge.fingerprint.normalize import fingerprint_text

PHRASES: tuple[str, ...] = (
    "Cộng hòa xã hội chủ nghĩa Việt Nam", "Độc lập - Tự do - Hạnh phúc",
    "Kính gửi", "Đồng kính gửi", "Về việc", "V/v",
    "Đơn khiếu nại", "Đơn tố cáo", "Đơn kiến nghị", "Đơn phản ánh", "Đơn đề nghị", "Đơn trình bày",
    "Tôi tên là", "Họ và tên", "Họ và tên người khiếu nại", "Họ và tên người tố cáo",
    "Ngày sinh", "Sinh ngày", "Năm sinh",
    "Số căn cước công dân", "Căn cước công dân", "Số CCCD", "Số CMND", "Chứng minh nhân dân",
    "Số định danh cá nhân", "cấp ngày", "nơi cấp", "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "Địa chỉ thường trú", "Địa chỉ liên hệ", "Nơi cư trú", "Địa chỉ", "Số điện thoại", "Điện thoại liên hệ",
    "Tôi xin trình bày sự việc cụ thể như sau", "Nội dung sự việc", "Nội dung khiếu nại", "Nội dung tố cáo",
    "Tôi làm đơn này", "Tôi xin cam đoan những nội dung trình bày trên là đúng sự thật",
    "và hoàn toàn chịu trách nhiệm trước pháp luật", "chịu trách nhiệm trước pháp luật",
    "Kính đề nghị", "Kính mong", "cơ quan có thẩm quyền", "xem xét, giải quyết", "theo quy định của pháp luật",
    "Tôi xin trân trọng cảm ơn", "Xin trân trọng cảm ơn", "Tôi xin chân thành cảm ơn",
    "Người làm đơn", "Người khiếu nại", "Người tố cáo", "Ký và ghi rõ họ tên", "Ký, ghi rõ họ tên",
    "Tài liệu kèm theo", "Tài liệu, chứng cứ kèm theo", "Nơi nhận", "Như trên", "Lưu",
    "Ủy ban nhân dân", "Ủy ban nhân dân thành phố Hà Nội", "Thanh tra thành phố", "Ban Tiếp công dân",
    "ngày", "tháng", "năm",
)
SHINGLE = 5


def phrase_shingles(phrases: tuple[str, ...] = PHRASES, k: int = SHINGLE) -> np.ndarray:
    """Sorted unique packed k-shingles lying wholly inside the folded ``phrases``."""
    codes: set[int] = set()
    for p in phrases:
        b = fingerprint_text(p).encode("ascii")
        for i in range(len(b) - k + 1):
            codes.add(int.from_bytes(b[i:i + k], "big"))
    return np.array(sorted(codes), dtype=np.uint64)


STOP_SHINGLES = phrase_shingles()
