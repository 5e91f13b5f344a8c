"""Names, places and offices of Hanoi, and how dates and sums of money are written."""
from __future__ import annotations

import datetime as dt

SURNAMES = ("Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Vũ",
            "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đinh", "Trịnh",
            "Lương", "Phan", "Tạ", "Chu", "Khuất", "Nghiêm", "Kiều", "Mai", "Quách", "Tô",
            "Lưu", "Hà", "Cao", "Đàm", "Nghiêm", "Vương", "Triệu", "Lại", "Phùng")
MIDDLE_M = ("Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Ngọc", "Thành", "Mạnh",
            "Công", "Đình", "Tiến", "Trọng", "Duy", "Viết", "Bá", "Huy", "Anh")
MIDDLE_F = ("Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Phương", "Kim",
            "Bích", "Thúy", "Diệu", "Hải", "Mai", "Lan")
GIVEN_M = ("Hùng", "Dũng", "Tuấn", "Nam", "Hải", "Long", "Thắng", "Sơn", "Quân", "Bình",
           "Cường", "Hưng", "Khánh", "Phúc", "Tùng", "Đạt", "Hiếu", "Lâm", "Toàn", "Thịnh",
           "Vinh", "Chiến", "Kiên", "Lợi", "Nghĩa", "Trung", "Thông", "Quyết", "Hòa", "Tài",
           "Định", "Hoàn", "Khải", "Việt", "Tú", "Thuận", "Đông", "Huấn")
GIVEN_F = ("Lan", "Hương", "Hoa", "Mai", "Hằng", "Thủy", "Nga", "Hạnh", "Linh", "Trang",
           "Yến", "Loan", "Huyền", "Dung", "Thảo", "Oanh", "Liên", "Ngân", "Vân", "Nhung",
           "Tuyết", "Hiền", "Quyên", "Phượng", "Thơm", "Huệ", "Lựu", "Xuân", "Tâm", "Chi")

# District -> (kind, wards, streets). Hanoi before the 2025 merger of wards, as the letters date
# from 2023 to early 2025.
DISTRICTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Ba Đình": ("quận", ("Phúc Xá", "Trúc Bạch", "Vĩnh Phúc", "Cống Vị", "Liễu Giai",
                         "Quán Thánh", "Ngọc Hà", "Điện Biên", "Đội Cấn", "Ngọc Khánh",
                         "Kim Mã", "Giảng Võ", "Thành Công"),
                ("Đội Cấn", "Kim Mã", "Hoàng Hoa Thám", "Liễu Giai", "Ngọc Hà", "Giảng Võ",
                 "Văn Cao", "Nguyễn Thái Học")),
    "Hoàn Kiếm": ("quận", ("Hàng Bạc", "Hàng Bồ", "Hàng Buồm", "Hàng Đào", "Hàng Gai",
                           "Hàng Mã", "Cửa Đông", "Cửa Nam", "Tràng Tiền", "Đồng Xuân",
                           "Phúc Tân", "Chương Dương"),
                  ("Hàng Bông", "Hàng Gai", "Hàng Bạc", "Lò Sũ", "Phùng Hưng", "Hàng Chiếu",
                   "Trần Quang Khải")),
    "Đống Đa": ("quận", ("Cát Linh", "Văn Miếu", "Quốc Tử Giám", "Láng Thượng", "Ô Chợ Dừa",
                         "Văn Chương", "Hàng Bột", "Láng Hạ", "Khâm Thiên", "Thổ Quan",
                         "Nam Đồng", "Trung Phụng", "Quang Trung", "Trung Liệt", "Phương Liên",
                         "Thịnh Quang", "Trung Tự", "Kim Liên", "Phương Mai", "Khương Thượng"),
                ("Khâm Thiên", "Tôn Đức Thắng", "Xã Đàn", "Thái Hà", "Chùa Láng", "Láng",
                 "Tây Sơn", "Hoàng Cầu", "Đặng Tiến Đông")),
    "Hai Bà Trưng": ("quận", ("Bạch Đằng", "Bách Khoa", "Bạch Mai", "Cầu Dền", "Đống Mác",
                              "Đồng Tâm", "Lê Đại Hành", "Minh Khai", "Phố Huế", "Quỳnh Lôi",
                              "Quỳnh Mai", "Thanh Lương", "Thanh Nhàn", "Trương Định",
                              "Vĩnh Tuy"),
                     ("Bạch Mai", "Minh Khai", "Lò Đúc", "Trần Khát Chân", "Kim Ngưu",
                      "Trương Định", "Lạc Trung", "Thanh Nhàn")),
    "Cầu Giấy": ("quận", ("Dịch Vọng", "Dịch Vọng Hậu", "Mai Dịch", "Nghĩa Đô", "Nghĩa Tân",
                          "Quan Hoa", "Trung Hòa", "Yên Hòa"),
                 ("Xuân Thủy", "Cầu Giấy", "Trần Duy Hưng", "Nguyễn Khánh Toàn",
                  "Hoàng Quốc Việt", "Trần Thái Tông", "Dương Quảng Hàm", "Nguyễn Phong Sắc")),
    "Thanh Xuân": ("quận", ("Hạ Đình", "Khương Đình", "Khương Mai", "Khương Trung",
                            "Kim Giang", "Nhân Chính", "Phương Liệt", "Thanh Xuân Bắc",
                            "Thanh Xuân Nam", "Thanh Xuân Trung", "Thượng Đình"),
                   ("Nguyễn Trãi", "Khương Đình", "Vũ Trọng Phụng", "Lê Văn Thiêm",
                    "Kim Giang", "Nguyễn Tuân", "Bùi Xương Trạch", "Hoàng Văn Thái")),
    "Hoàng Mai": ("quận", ("Đại Kim", "Định Công", "Giáp Bát", "Hoàng Liệt",
                           "Hoàng Văn Thụ", "Lĩnh Nam", "Mai Động", "Tân Mai", "Thịnh Liệt",
                           "Trần Phú", "Tương Mai", "Vĩnh Hưng", "Yên Sở"),
                  ("Giải Phóng", "Tam Trinh", "Lĩnh Nam", "Kim Đồng", "Định Công",
                   "Nguyễn Tam Trinh", "Bùi Huy Bích", "Nguyễn Đức Cảnh")),
    "Long Biên": ("quận", ("Bồ Đề", "Cự Khối", "Đức Giang", "Gia Thụy", "Giang Biên",
                           "Ngọc Lâm", "Ngọc Thụy", "Phúc Đồng", "Phúc Lợi", "Sài Đồng",
                           "Thạch Bàn", "Thượng Thanh", "Việt Hưng"),
                  ("Nguyễn Văn Cừ", "Ngọc Lâm", "Ngô Gia Tự", "Nguyễn Văn Linh",
                   "Hoàng Như Tiếp", "Thạch Bàn", "Cổ Linh")),
    "Tây Hồ": ("quận", ("Bưởi", "Nhật Tân", "Phú Thượng", "Quảng An", "Thụy Khuê",
                        "Tứ Liên", "Xuân La", "Yên Phụ"),
               ("Lạc Long Quân", "Âu Cơ", "Xuân Diệu", "Thụy Khuê", "An Dương Vương",
                "Trích Sài", "Đặng Thai Mai")),
    "Nam Từ Liêm": ("quận", ("Cầu Diễn", "Đại Mỗ", "Mễ Trì", "Mỹ Đình 1", "Mỹ Đình 2",
                             "Phú Đô", "Phương Canh", "Tây Mỗ", "Trung Văn", "Xuân Phương"),
                    ("Mễ Trì", "Lê Đức Thọ", "Hàm Nghi", "Đại Mỗ", "Nguyễn Cơ Thạch",
                     "Phú Đô", "Trần Hữu Dực")),
    "Bắc Từ Liêm": ("quận", ("Cổ Nhuế 1", "Cổ Nhuế 2", "Đông Ngạc", "Đức Thắng", "Liên Mạc",
                             "Phú Diễn", "Phúc Diễn", "Tây Tựu", "Thượng Cát", "Thụy Phương",
                             "Xuân Đỉnh", "Xuân Tảo"),
                    ("Phạm Văn Đồng", "Cổ Nhuế", "Đông Ngạc", "Phú Diễn", "Hoàng Tăng Bí",
                     "Văn Tiến Dũng", "Đức Thắng")),
    "Hà Đông": ("quận", ("Biên Giang", "Đồng Mai", "Yên Nghĩa", "Dương Nội", "Hà Cầu",
                         "La Khê", "Mộ Lao", "Nguyễn Trãi", "Phú La", "Phú Lãm", "Kiến Hưng",
                         "Phúc La", "Quang Trung", "Vạn Phúc", "Văn Quán", "Yết Kiêu"),
                ("Quang Trung", "Tô Hiệu", "Vạn Phúc", "Nguyễn Trãi", "Lê Trọng Tấn",
                 "Văn Khê", "Phùng Hưng", "Bà Triệu")),
    "Gia Lâm": ("huyện", ("Đa Tốn", "Kiêu Kỵ", "Bát Tràng", "Dương Xá", "Cổ Bi", "Phú Thị",
                          "Kim Sơn", "Đông Dư"),
                ("Thôn 1", "Thôn 2", "Thôn Đông", "Thôn Đoài", "Thôn Trung", "Thôn Thượng")),
    "Đông Anh": ("huyện", ("Hải Bối", "Kim Chung", "Uy Nỗ", "Vĩnh Ngọc", "Xuân Nộn",
                           "Nguyên Khê", "Tiên Dương", "Đông Hội"),
                 ("Thôn Bầu", "Thôn Đình", "Thôn Hậu", "Thôn Ngọc Chi", "Thôn Sơn Du")),
    "Thanh Trì": ("huyện", ("Tả Thanh Oai", "Tam Hiệp", "Vĩnh Quỳnh", "Ngọc Hồi",
                            "Tứ Hiệp", "Tân Triều", "Hữu Hòa", "Liên Ninh"),
                  ("Thôn Tả Thanh Oai", "Thôn Yên Ngưu", "Thôn Vĩnh Ninh", "Thôn Triều Khúc")),
    "Hoài Đức": ("huyện", ("An Khánh", "Vân Canh", "Đức Thượng", "Kim Chung", "Song Phương",
                           "Di Trạch", "La Phù"),
                 ("Thôn Lưu Xá", "Thôn Quyết Tiến", "Thôn Văn Trì", "Thôn Đồng Nhân")),
}
URBAN = tuple(k for k, v in DISTRICTS.items() if v[0] == "quận")


def ward_word(district: str) -> str:
    """'phường' in a quận, 'xã' in a huyện."""
    return "phường" if DISTRICTS[district][0] == "quận" else "xã"


def unit(district: str) -> str:
    """'quận Cầu Giấy' or 'huyện Gia Lâm'."""
    return f"{DISTRICTS[district][0]} {district}"


PROVINCES_OF_BIRTH = ("001", "001", "001", "001", "034", "036", "035", "030", "033", "038",
                      "040", "037", "027", "026", "022")
PHONE_PREFIXES = ("091", "094", "098", "097", "096", "086", "088", "090", "093", "035", "036",
                  "038", "039", "083", "084", "085", "070", "077", "079", "081", "082", "032")

CCCD_ISSUERS = ("Cục Cảnh sát quản lý hành chính về trật tự xã hội",
                "Cục Cảnh sát QLHC về TTXH", "Cục CS QLHC về TTXH", "Bộ Công an")
CMND_ISSUERS = ("Công an TP Hà Nội", "Công an thành phố Hà Nội", "CA Hà Nội")

MONTHS_WORD = ("một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def dmy(d: dt.date) -> str:
    """12/03/2024."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def long_date(d: dt.date, pad: bool = False) -> str:
    """'ngày 12 tháng 3 năm 2024' (pad: 'tháng 03')."""
    month = f"{d.month:02d}" if pad else str(d.month)
    day = f"{d.day:02d}" if pad else str(d.day)
    return f"ngày {day} tháng {month} năm {d.year}"


def money(n: int) -> str:
    """1.250.000.000 (dots between thousands, as written in Vietnam)."""
    return f"{n:,}".replace(",", ".")


_DIG = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _three(n: int, full: bool) -> str:
    h, t, u = n // 100, (n // 10) % 10, n % 10
    words: list[str] = []
    if h or full:
        words += [_DIG[h], "trăm"]
    if t == 0:
        if u and words:
            words += ["linh", _DIG[u]]
        elif u:
            words.append(_DIG[u])
    elif t == 1:
        words.append("mười")
        if u:
            words.append("lăm" if u == 5 else _DIG[u])
    else:
        words += [_DIG[t], "mươi"]
        if u:
            words.append({1: "mốt", 5: "lăm", 4: "tư"}.get(u, _DIG[u]))
    return " ".join(words)


def money_words(n: int) -> str:
    """'Một trăm năm mươi triệu đồng' for 150000000."""
    if n == 0:
        return "Không đồng"
    groups: list[int] = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    names = ("", "nghìn", "triệu", "tỷ", "nghìn tỷ")
    parts: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        parts.append(_three(g, full=i != len(groups) - 1))
        if names[i]:
            parts.append(names[i])
    text = " ".join(parts) + " đồng"
    return text[0].upper() + text[1:]
