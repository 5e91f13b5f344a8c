"""Synthetic citizens of Hanoi: names, birth dates, CCCD/CMND numbers, phones and addresses.

Everything here is invented from seeded randomness; no real person is described.
Weights follow the rough frequency of Vietnamese family names so corpora look plausible.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# (family name, weight in percent) — Nguyễn alone is about four in ten people.
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 5.0), ("Phan", 4.5),
    ("Vũ", 4.0), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 2.0), ("Ngô", 1.3), ("Hồ", 1.3),
    ("Dương", 1.0), ("Đinh", 1.0), ("Đào", 1.0), ("Trịnh", 1.0), ("Lương", 0.5), ("Mai", 0.5),
    ("Cao", 0.5), ("Tạ", 0.4), ("Chu", 0.4), ("Lưu", 0.4), ("Tô", 0.4), ("Khuất", 0.3),
    ("Kiều", 0.3), ("Nghiêm", 0.3), ("Triệu", 0.3), ("Quách", 0.2), ("Lý", 0.5), ("Võ", 0.8),
)
MIDDLE_MALE = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Xuân", "Mạnh", "Tiến", "Công",
               "Duy", "Ngọc", "Đình", "Trọng", "Anh", "Hoàng", "Bá", "Quốc", "Việt", "Huy")
MIDDLE_FEMALE = ("Thị", "Thu", "Thanh", "Ngọc", "Minh", "Thúy", "Bích", "Kim", "Phương",
                 "Hồng", "Mai", "Thùy", "Lan", "Hải", "Diệu")
GIVEN_MALE = ("Hùng", "Dũng", "Tuấn", "Hải", "Long", "Nam", "Thắng", "Cường", "Hưng", "Sơn",
              "Quân", "Bình", "Khánh", "Trung", "Đạt", "Phúc", "Thành", "Tùng", "Vinh", "Hiếu",
              "Lâm", "Kiên", "Toàn", "Tiến", "Hòa", "Lợi", "Chiến", "Thịnh", "Quyết", "Nghĩa",
              "Đức", "Mạnh", "Huy", "Hoàng", "Tâm", "Lộc", "Phong", "Đông", "Thuận", "Bảo")
GIVEN_FEMALE = ("Lan", "Hương", "Hoa", "Mai", "Hằng", "Thảo", "Trang", "Linh", "Nga", "Hà",
                "Thủy", "Yến", "Phương", "Huyền", "Loan", "Dung", "Hạnh", "Nhung", "Oanh", "Thúy",
                "Vân", "Liên", "Quyên", "Ngọc", "Anh", "Giang", "Tâm", "Hiền", "Chi", "Nguyệt",
                "Thơ", "Xuân", "Hồng", "Bích", "Diệp", "Sen")

# District -> ward -> streets. Pre-2025 (district-level) addressing, which citizens still write.
HANOI: dict[str, dict[str, tuple[str, ...]]] = {
    "Hoàn Kiếm": {"Hàng Bạc": ("phố Hàng Bạc", "phố Mã Mây", "phố Hàng Bè"),
                  "Hàng Trống": ("phố Hàng Trống", "phố Lý Quốc Sư", "phố Nhà Thờ"),
                  "Tràng Tiền": ("phố Tràng Tiền", "phố Ngô Quyền"),
                  "Phúc Tân": ("phố Phúc Tân", "phố Chương Dương Độ")},
    "Ba Đình": {"Kim Mã": ("phố Kim Mã", "phố Vạn Bảo"),
                "Ngọc Hà": ("phố Ngọc Hà", "đường Hoàng Hoa Thám"),
                "Liễu Giai": ("phố Liễu Giai", "phố Đội Cấn", "phố Văn Cao"),
                "Quán Thánh": ("phố Quán Thánh", "phố Phan Đình Phùng"),
                "Thành Công": ("phố Thành Công", "phố Láng Hạ")},
    "Đống Đa": {"Láng Thượng": ("phố Chùa Láng", "đường Nguyễn Chí Thanh"),
                "Ô Chợ Dừa": ("phố Xã Đàn", "phố Hoàng Cầu", "đường Đê La Thành"),
                "Trung Liệt": ("phố Thái Hà", "phố Đặng Tiến Đông"),
                "Khâm Thiên": ("phố Khâm Thiên",),
                "Văn Chương": ("phố Văn Chương", "đường Tôn Đức Thắng"),
                "Kim Liên": ("phố Phạm Ngọc Thạch", "phố Đào Duy Anh")},
    "Cầu Giấy": {"Dịch Vọng": ("đường Xuân Thủy", "đường Cầu Giấy"),
                 "Dịch Vọng Hậu": ("phố Trần Thái Tông", "phố Duy Tân"),
                 "Nghĩa Đô": ("đường Hoàng Quốc Việt", "phố Nghĩa Đô"),
                 "Yên Hòa": ("phố Trung Kính", "phố Nguyễn Khang"),
                 "Trung Hòa": ("đường Trần Duy Hưng", "phố Hoàng Minh Giám"),
                 "Mai Dịch": ("đường Hồ Tùng Mậu", "phố Trần Bình")},
    "Hai Bà Trưng": {"Bạch Mai": ("phố Bạch Mai",),
                     "Thanh Nhàn": ("phố Thanh Nhàn", "phố Kim Ngưu"),
                     "Minh Khai": ("phố Minh Khai",),
                     "Lê Đại Hành": ("phố Lê Đại Hành",),
                     "Bách Khoa": ("phố Tạ Quang Bửu", "phố Lê Thanh Nghị"),
                     "Trương Định": ("phố Trương Định",)},
    "Thanh Xuân": {"Khương Trung": ("phố Khương Trung", "phố Vũ Tông Phan"),
                   "Nhân Chính": ("phố Ngụy Như Kon Tum", "đường Lê Văn Lương"),
                   "Thượng Đình": ("đường Nguyễn Trãi",),
                   "Kim Giang": ("đường Kim Giang",),
                   "Hạ Đình": ("phố Hạ Đình",)},
    "Hoàng Mai": {"Định Công": ("phố Định Công",),
                  "Hoàng Liệt": ("đường Nguyễn Hữu Thọ", "đường Linh Đàm"),
                  "Tương Mai": ("phố Tương Mai",),
                  "Vĩnh Hưng": ("phố Vĩnh Hưng", "đường Lĩnh Nam"),
                  "Yên Sở": ("đường Tam Trinh",)},
    "Long Biên": {"Bồ Đề": ("đường Nguyễn Văn Cừ", "phố Hồng Tiến"),
                  "Ngọc Lâm": ("phố Ngọc Lâm",),
                  "Thạch Bàn": ("phố Thạch Bàn",),
                  "Việt Hưng": ("phố Đoàn Khuê", "phố Vạn Hạnh")},
    "Tây Hồ": {"Quảng An": ("phố Đặng Thai Mai", "phố Xuân Diệu"),
               "Nhật Tân": ("đường Âu Cơ", "phố Nhật Chiêu"),
               "Xuân La": ("phố Xuân La", "đường Võ Chí Công"),
               "Thụy Khuê": ("đường Thụy Khuê",),
               "Phú Thượng": ("đường An Dương Vương",)},
    "Hà Đông": {"Văn Quán": ("đường Chiến Thắng", "phố Nguyễn Khuyến"),
                "Mỗ Lao": ("phố Nguyễn Văn Lộc", "phố Ngô Thì Nhậm"),
                "La Khê": ("đường Lê Trọng Tấn",),
                "Quang Trung": ("phố Quang Trung", "phố Tô Hiệu"),
                "Kiến Hưng": ("phố Kiến Hưng", "đường Phúc La")},
    "Nam Từ Liêm": {"Mỹ Đình 1": ("đường Lê Đức Thọ", "phố Nguyễn Hoàng"),
                    "Mễ Trì": ("đường Mễ Trì", "phố Đỗ Đức Dục"),
                    "Phú Đô": ("phố Phú Đô",),
                    "Trung Văn": ("đường Tố Hữu",)},
    "Bắc Từ Liêm": {"Cổ Nhuế 1": ("đường Phạm Văn Đồng", "phố Hoàng Công Chất"),
                    "Xuân Đỉnh": ("đường Xuân Đỉnh",),
                    "Phú Diễn": ("đường Phú Diễn",),
                    "Đông Ngạc": ("phố Đông Ngạc",)},
}
# CCCD province codes of places many Hanoi residents were born in (Hanoi is 001).
PROVINCE_CODES = ("001",) * 8 + ("034", "036", "038", "040", "030", "033", "035", "037", "022",
                                 "031", "026", "027", "024", "019", "025")
# Old 9-digit CMND prefixes (Hanoi 01x, Thái Bình 15x, Nam Định 16x, Thanh Hóa 17x, Nghệ An 18x).
CMND_PREFIXES = ("01", "01", "01", "15", "16", "17", "18", "14", "13")
PHONE_PREFIXES = ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039",
                  "088", "091", "094", "083", "084", "085", "081", "082",
                  "089", "090", "093", "070", "076", "077", "078", "079", "092", "056", "058")


@dataclass(frozen=True)
class Address:
    """A Hanoi street address (house, street, ward, district)."""

    house: str
    street: str
    ward: str
    district: str

    @property
    def text(self) -> str:
        """The address as written on a petition."""
        return f"{self.house} {self.street}, phường {self.ward}, quận {self.district}, Hà Nội"


@dataclass(frozen=True)
class Citizen:
    """A synthetic petitioner."""

    name: str
    female: bool
    birth_date: date
    id_kind: str  # "CCCD" (12 digits) or "CMND" (9 digits, the old card)
    id_number: str
    id_issued: date
    phone: str
    address: Address


def full_name(rng: random.Random, *, female: bool | None = None, family: str | None = None) -> tuple[str, bool]:
    """A Vietnamese full name (họ, tên đệm, tên) and whether it is a woman's."""
    if female is None:
        female = rng.random() < 0.5
    if family is None:
        names, weights = zip(*FAMILY_NAMES, strict=True)
        family = rng.choices(names, weights=weights)[0]
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    if rng.random() < 0.12:  # some people carry two middle names (Nguyễn Thị Thu Hà)
        second = rng.choice(MIDDLE_FEMALE[2:] if female else MIDDLE_MALE[2:])
        if second not in (middle, given):
            middle = f"{middle} {second}"
    return f"{family} {middle} {given}", female


def address(rng: random.Random, *, district: str | None = None, ward: str | None = None) -> Address:
    """A random Hanoi address, optionally inside a given district/ward."""
    if district is None:
        district = rng.choice(sorted(HANOI))
    if ward is None:
        ward = rng.choice(sorted(HANOI[district]))
    street = rng.choice(HANOI[district][ward])
    number = rng.randint(1, 180)
    r = rng.random()
    if r < 0.35:
        house = f"số {number},"
    elif r < 0.7:
        house = f"số nhà {rng.randint(1, 60)}, ngõ {number}"
    elif r < 0.85:
        lane = rng.randint(2, 40)
        house = f"số {rng.randint(1, 30)}, ngách {number}/{lane}, ngõ {number}"
    else:
        house = f"phòng {rng.randint(1, 25)}{rng.randint(1, 20):02d}, tòa {rng.choice('ABCDE')}{rng.randint(1, 4)}, số {number}"
    return Address(house=house, street=street, ward=ward, district=district)


def citizen(rng: random.Random, *, district: str | None = None, ward: str | None = None,
            today: date = date(2026, 3, 1)) -> Citizen:
    """A synthetic citizen living in Hanoi, optionally in a given district/ward."""
    name, female = full_name(rng)
    birth = date(rng.randint(1945, 2000), 1, 1) + timedelta(days=rng.randint(0, 364))
    if rng.random() < 0.15:
        id_kind = "CMND"
        id_number = rng.choice(CMND_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(7))
        issued = date(rng.randint(2005, 2015), 1, 1) + timedelta(days=rng.randint(0, 364))
    else:
        id_kind = "CCCD"
        century = (0 if birth.year < 2000 else 2) + (1 if female else 0)
        id_number = (rng.choice(PROVINCE_CODES) + str(century) + f"{birth.year % 100:02d}"
                     + "".join(rng.choice("0123456789") for _ in range(6)))
        issued = date(rng.randint(2016, 2024), 1, 1) + timedelta(days=rng.randint(0, 364))
    phone = rng.choice(PHONE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(7))
    return Citizen(name=name, female=female, birth_date=birth, id_kind=id_kind, id_number=id_number,
                   id_issued=min(issued, today), phone=phone,
                   address=address(rng, district=district, ward=ward))

