"""A ward's printed form 'ĐƠN ĐỀ NGHỊ' that many citizens fill in for unrelated things."""
from __future__ import annotations

import datetime as dt

from ._rng import Rng
from .people import Person, new_person, phone_text
from .vocab import dmy, money, unit, ward_word

PURPOSES = (
    ("Xác nhận tình trạng nhà đất tại thửa đất số {a}, tờ bản đồ số {b} để bổ sung hồ sơ vay vốn ngân hàng.",
     "Gia đình cần vay {m} đồng để sửa chữa nhà ở."),
    ("Cắt tỉa cây xanh trước cửa nhà số {a} đã mục gốc, có nguy cơ đổ.",
     "Ngày {d} cây bị gãy một cành lớn rơi xuống đường làm hỏng mái tôn nhà số {b}."),
    ("Sửa chữa {c} bóng đèn chiếu sáng bị hỏng trong ngõ {b}.",
     "Ngõ tối từ ngày {d}, đã xảy ra hai vụ mất trộm xe máy."),
    ("Xác nhận hoàn cảnh gia đình khó khăn để con tôi được miễn giảm học phí năm học {y}-{y1}.",
     "Gia đình có {c} người, thu nhập bình quân dưới {m} đồng/người/tháng."),
    ("Cho phép sử dụng tạm thời {a} m² hè phố trước nhà số {b} để tổ chức việc hiếu.",
     "Thời gian sử dụng từ ngày {d}, trong 3 ngày."),
    ("Lắp đặt gờ giảm tốc tại đầu ngõ {a} giao với đường chính.",
     "Từ ngày {d} đến nay đã xảy ra {c} vụ va chạm giao thông tại đây."),
    ("Xác nhận nơi cư trú để làm thủ tục đăng ký kết hôn tại số nhà {a}.",
     "Tôi chuyển đến ở từ ngày {d}, hộ khẩu số {b}."),
    ("Hỗ trợ thu gom rác thải tồn đọng tại điểm tập kết số {a} ngõ {b}.",
     "Rác để quá {m} ngày không được thu gom từ ngày {d}."),
    ("Xác nhận thời gian sinh sống tại địa phương để làm thủ tục hưởng trợ cấp người cao tuổi.",
     "Tôi sinh sống liên tục tại địa chỉ trên từ năm {y}, số sổ hộ khẩu cũ {b}."),
    ("Được mua bảo hiểm y tế hộ gia đình cho {c} nhân khẩu qua đại lý thu của phường.",
     "Thẻ cũ hết hạn ngày {d}, mức đóng {m} đồng."),
)


def form_text(who: Person, purpose: int, rng: Rng, when: dt.date, leader: str, dots: int) -> str:
    """The filled-in form; the boilerplate is identical for everyone who uses it."""
    ww, ward, un = ward_word(who.home.district), who.home.ward, unit(who.home.district)
    vals = {"a": rng.randint(2, 250), "b": rng.randint(2, 400), "m": money(rng.randint(3, 90) * 100_000),
            "c": rng.randint(2, 9), "d": dmy(when - dt.timedelta(days=rng.randint(3, 120))),
            "y": rng.randint(1975, 2022)}
    vals["y1"] = vals["y"] + 1
    what, why = PURPOSES[purpose]
    dl = "." * dots
    lines = [
        "Mẫu số 01/TDP", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "-------------------", "", "ĐƠN ĐỀ NGHỊ", "",
        f"Kính gửi: Ủy ban nhân dân {ww} {ward}, {un}", "",
        f"Tên tôi là: {who.name}{dl}  Sinh ngày: {dmy(who.born)}{dl}",
        f"Số {who.id_kind}: {who.id_no}{dl}  Ngày cấp: {dmy(who.id_date)}  Nơi cấp: {who.id_place}",
        f"Nơi thường trú: {who.home.full(1)}{dl}",
        f"Nơi ở hiện tại: {dl * 3}",
        f"Số điện thoại: {phone_text(who.phone, 0)}{dl}",
        "", f"Nội dung đề nghị: {what.format(**vals)}",
        f"Lý do: {why.format(**vals)}",
        f"Hồ sơ kèm theo: {dl * 4}", "",
        "Tôi xin cam đoan những thông tin kê khai trên là đúng sự thật và chịu trách nhiệm trước",
        "pháp luật về nội dung đã kê khai.",
        f"Kính đề nghị Ủy ban nhân dân {ww} xem xét, giải quyết.", "",
        f"{ward}, ngày {when.day} tháng {when.month} năm {when.year}",
        "XÁC NHẬN CỦA TỔ TRƯỞNG TỔ DÂN PHỐ          NGƯỜI LÀM ĐƠN",
        "(Ký, ghi rõ họ tên)                        (Ký, ghi rõ họ tên)",
        f"{leader}{' ' * max(4, 43 - len(leader))}{who.name}",
    ]
    return "\n".join(lines)


def team_leader(rng: Rng) -> str:
    """The residential group leader who countersigns every form of the group."""
    return new_person(rng, "-").name
