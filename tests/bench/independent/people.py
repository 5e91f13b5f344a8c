"""Citizens: who they are, where they live, and the ways a letter gives their particulars."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ._rng import Rng
from .vocab import (
    CCCD_ISSUERS,
    CMND_ISSUERS,
    DISTRICTS,
    GIVEN_F,
    GIVEN_M,
    MIDDLE_F,
    MIDDLE_M,
    PHONE_PREFIXES,
    PROVINCES_OF_BIRTH,
    SURNAMES,
    dmy,
    unit,
    ward_word,
)


@dataclass(frozen=True)
class Place:
    house: str      # "Số 12, ngõ 45" or "" in a village
    street: str     # "phố Khâm Thiên" / "thôn Đông"
    ward: str
    district: str

    def full(self, style: int = 0) -> str:
        """The address as a letter writes it, in one of a few styles."""
        ww, un = ward_word(self.district), unit(self.district)
        head = f"{self.house} {self.street}".strip() if self.house else self.street
        tail = ("TP Hà Nội", "thành phố Hà Nội", "Hà Nội", "TP. Hà Nội")[style % 4]
        if style % 3 == 1:
            return f"{head}, {ww} {self.ward}, {un}, {tail}"
        if style % 3 == 2:
            return f"{head} - {ww[0].upper() + ww[1:]} {self.ward} - {un[0].upper() + un[1:]} - {tail}"
        return f"{head}, {ww} {self.ward}, {un}, {tail}"


@dataclass(frozen=True)
class Person:
    cid: str
    name: str
    male: bool
    born: dt.date
    id_kind: str        # "CCCD" (12 digits) or "CMND" (9 digits)
    id_no: str
    id_date: dt.date
    id_place: str
    home: Place
    phone: str

    @property
    def title(self) -> str:
        """Ông / Bà."""
        return "Ông" if self.male else "Bà"


def new_place(rng: Rng, district: str | None = None, ward: str | None = None) -> Place:
    """A home address in Hanoi."""
    district = district or rng.choice(tuple(DISTRICTS))
    kind, wards, streets = DISTRICTS[district]
    ward = ward or rng.choice(wards)
    if kind == "huyện":
        return Place("", rng.choice(streets).replace("Thôn", "thôn"), ward, district)
    street = rng.choice(streets)
    n = rng.randint(1, 180)
    form = rng.below(5)
    if form == 0:
        house = f"Số {n}"
    elif form == 1:
        house = f"Số {n}, ngõ {rng.randint(2, 420)}"
    elif form == 2:
        house = f"Số {n} ngách {rng.randint(2, 90)}/{rng.randint(2, 60)} ngõ {rng.randint(2, 320)}"
    elif form == 3:
        house = f"Nhà {rng.choice('ABCD')}{rng.randint(1, 30)}, tập thể {rng.choice(('Kim Liên', 'Thành Công', 'Nam Đồng', 'Trung Tự', 'Khương Thượng', 'Giảng Võ'))},"
    else:
        house = f"Số {n}/{rng.randint(2, 40)}/{rng.randint(2, 30)}"
    return Place(house, f"phố {street}" if rng.chance(0.6) else f"đường {street}", ward, district)


def new_person(rng: Rng, cid: str, home: Place | None = None, male: bool | None = None,
               born_before: int = 2001) -> Person:
    """A citizen with consistent particulars (the CCCD encodes sex and year of birth)."""
    male = rng.chance(0.55) if male is None else male
    surname = rng.choice(SURNAMES)
    name = " ".join((surname, rng.choice(MIDDLE_M if male else MIDDLE_F),
                     rng.choice(GIVEN_M if male else GIVEN_F)))
    born = dt.date(rng.randint(1942, born_before), rng.randint(1, 12), rng.randint(1, 28))
    if rng.chance(0.8):
        century = 0 if born.year < 2000 else 2
        code = f"{rng.choice(PROVINCES_OF_BIRTH)}{century + (0 if male else 1)}{born.year % 100:02d}"
        id_no, kind = code + rng.digits(6), "CCCD"
        id_date = dt.date(rng.randint(2016, 2022), rng.randint(1, 12), rng.randint(1, 28))
        place = rng.choice(CCCD_ISSUERS)
    else:
        id_no, kind = "0" + str(rng.randint(1, 3)) + rng.digits(7), "CMND"
        id_date = dt.date(rng.randint(2006, 2015), rng.randint(1, 12), rng.randint(1, 28))
        place = rng.choice(CMND_ISSUERS)
    phone = rng.choice(PHONE_PREFIXES) + rng.digits(7)
    return Person(cid, name, male, born, kind, id_no, id_date, place, home or new_place(rng), phone)


def phone_text(phone: str, style: int) -> str:
    """0912345678, 0912 345 678 or 0912.345.678."""
    if style % 3 == 1:
        return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    if style % 3 == 2:
        return f"{phone[:4]}.{phone[4:7]}.{phone[7:]}"
    return phone


def particulars(p: Person, layout: int, role: str, addr_style: int) -> list[str]:
    """The lines that say who writes; ``role`` is e.g. 'người khiếu nại'."""
    addr = p.home.full(addr_style)
    ph = phone_text(p.phone, layout + addr_style)
    idl = "Số CCCD" if p.id_kind == "CCCD" else "Số CMND"
    born_y = str(p.born.year)
    if layout == 0:
        return [f"Họ và tên: {p.name.upper()}{' ' * 6}Sinh năm: {born_y}",
                f"{idl}: {p.id_no}    cấp ngày {dmy(p.id_date)}    tại {p.id_place}",
                f"Địa chỉ thường trú: {addr}", f"Số điện thoại: {ph}"]
    if layout == 1:
        return [f"Tôi tên là {p.name}, sinh ngày {dmy(p.born)}; {p.id_kind} số: {p.id_no} do "
                f"{p.id_place} cấp ngày {dmy(p.id_date)}; thường trú tại: {addr}; "
                f"điện thoại liên hệ: {ph}."]
    if layout == 2:
        return [f"{role.capitalize()}: {p.title} {p.name}", f"Ngày sinh: {dmy(p.born)}",
                f"{p.id_kind} số: {p.id_no}, do {p.id_place} cấp ngày {dmy(p.id_date)}",
                f"Nơi cư trú: {addr}", f"Điện thoại: {ph}"]
    if layout == 3:
        return [f"Tôi là: {p.name}{' ' * 4}Sinh năm: {born_y}",
                f"{p.id_kind}: {p.id_no}, ngày cấp: {dmy(p.id_date)}, nơi cấp: {p.id_place}",
                f"Hộ khẩu thường trú: {addr}", "Chỗ ở hiện nay: như trên",
                f"SĐT: {ph}"]
    return [f"Tên tôi là: {p.name.upper()}", f"Sinh ngày: {dmy(p.born)}",
            f"Số định danh cá nhân/{p.id_kind}: {p.id_no}",
            f"Địa chỉ: {addr}", f"Số điện thoại liên hệ: {ph}"]


LAYOUTS = 5
