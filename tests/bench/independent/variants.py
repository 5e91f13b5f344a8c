"""How one letter becomes several documents: re-scans, re-sends, re-typing, forwarding, stamps."""
from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import replace

from ._rng import Rng
from .letter import Letter, Writer, new_style, prior_sentence, render_pages
from .people import Person, new_person
from .vocab import dmy, long_date, unit, ward_word

VARIANTS = ("rescan", "resent", "retyped", "cover", "excerpt", "added_pages", "stamped",
            "collective")


def days(d: dt.date, lo: int, hi: int, rng: Rng) -> dt.date:
    """A day ``lo``..``hi`` days after ``d``."""
    return d + dt.timedelta(days=rng.randint(lo, hi))


def resent(letter: Letter, rng: Rng, sent_on: dt.date) -> Letter:
    """The same letter months later, saying it was sent before, maybe to a higher office."""
    w = Writer(rng.fork("style"), rng.fork("value"))
    office = letter.addressees[0]
    addressees = list(letter.addressees)
    if rng.chance(0.6):
        higher = [a for a in letter.topic.addressees if a not in addressees]
        if higher:
            addressees = [higher[0]] + (addressees if rng.chance(0.5) else [])
    new_date = days(letter.date, 60, 240, rng)
    return replace(letter, date=new_date, addressees=addressees,
                   prior=prior_sentence(w, sent_on, office, letter.collective),
                   title_suffix=rng.choice(("", " (Lần 2)", " (lần thứ hai)", "")))


def retyped(letter: Letter, rng: Rng) -> Letter:
    """Typed again: 20-50% of sentences reworded, some moved, a paragraph dropped or added."""
    t = letter.topic
    share = rng.uniform(0.2, 0.5)
    facts = []
    for para in t.facts:
        new = [s.reworded(rng) if rng.chance(share) else s for s in para]
        if len(new) > 1 and rng.chance(0.35):
            i = rng.below(len(new) - 1)
            new[i], new[i + 1] = new[i + 1], new[i]
        facts.append(new)
    if len(facts) > 1 and rng.chance(0.3):
        facts[0], facts[1] = facts[1], facts[0]
    requests = [s.reworded(rng) if rng.chance(share) else s for s in t.requests]
    argue = [s.reworded(rng) for s in t.argue] if rng.chance(0.5) else list(t.argue)
    closing = [s.reworded(rng) if rng.chance(share) else s for s in letter.closing]
    extra = list(letter.extra_para)
    legal = letter.legal
    op = rng.below(4)
    if op == 0:
        argue = []
    elif op == 1:
        extra = extra or t.spare[: 1 + rng.below(len(t.spare))]
    elif op == 2:
        closing = closing[1:]
        legal = None
    else:
        extra = t.spare[:1]
    style = dict(letter.style)
    fresh = new_style(rng)
    for key in rng.sample(tuple(fresh), rng.randint(3, 7)):
        style[key] = fresh[key]
    topic = replace(t, facts=facts, requests=requests, argue=argue)
    return replace(letter, topic=topic, closing=closing, extra_para=extra, legal=legal,
                   style=style, date=days(letter.date, 20, 180, rng))


def collective_copy(letter: Letter, rng: Rng, writer: Person, signers: list[Person]) -> Letter:
    """The same collective text handed in by other households."""
    return replace(letter, writer=writer, signers=signers, date=days(letter.date, 0, 12, rng))


def excerpt(letter: Letter, pages: list[str], rng: Rng) -> list[str]:
    """Only the first page, or only the account of facts."""
    if len(pages) > 1 and rng.chance(0.6):
        return pages[:1]
    width = letter.style["width"]
    paras = [letter.intro.text()] + [" ".join(s.text() for s in p) for p in letter.topic.facts]
    if rng.chance(0.5):
        paras += [s.text() for s in letter.topic.argue]
    return ["\n".join(line for p in paras for line in textwrap.wrap(p, width))]


FORWARDERS = ("ward", "city", "inspect", "deputies")


def cover_page(who: Person, subject: str, rng: Rng, received: dt.date, sent: dt.date,
               to: str, collective: bool) -> str:
    """A forwarding note from an office ('chuyển đơn của công dân')."""
    d = who.home.district
    ww, ward, un = ward_word(d), who.home.ward, unit(d)
    kind = rng.choice(FORWARDERS)
    if kind == "ward":
        head = [f"UBND {un.upper()}", f"UBND {ww.upper()} {ward.upper()}"]
        num, sign = f"{rng.randint(12, 980)}/UBND-TCD", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
        me = f"UBND {ww} {ward}"
    elif kind == "city":
        head = ["UBND THÀNH PHỐ HÀ NỘI", "BAN TIẾP CÔNG DÂN"]
        num, sign = f"{rng.randint(100, 9999)}/BTCD-{rng.choice(('P1', 'P2', 'P3'))}", ["KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]
        me = "Ban Tiếp công dân thành phố Hà Nội"
    elif kind == "inspect":
        head = [f"UBND {un.upper()}", "THANH TRA"]
        num, sign = f"{rng.randint(10, 600)}/TTr-{rng.choice(('TD', 'XLĐ'))}", ["CHÁNH THANH TRA", ""]
        me = f"Thanh tra {un}"
    else:
        head = ["ĐOÀN ĐẠI BIỂU QUỐC HỘI", "THÀNH PHỐ HÀ NỘI"]
        num, sign = f"{rng.randint(100, 3000)}/ĐĐBQH-VP", ["TM. ĐOÀN ĐẠI BIỂU QUỐC HỘI", "PHÓ TRƯỞNG ĐOÀN"]
        me = "Đoàn Đại biểu Quốc hội thành phố Hà Nội"
    ong = who.title.lower()
    whose = (f"các hộ dân do {ong} {who.name} đại diện" if collective else f"{ong} {who.name}")
    official = new_person(rng, "-").name
    body = [
        rng.choice((f"Ngày {dmy(received)}, {me} nhận được đơn của {whose}, địa chỉ: "
                    f"{who.home.full(1)}, nội dung: {subject}.",
                    f"{me} nhận được đơn của {whose} (trú tại {who.home.full(0)}) về việc "
                    f"{subject}, tiếp nhận ngày {dmy(received)}.")),
        rng.choice(("Căn cứ Luật Tiếp công dân năm 2013 và Nghị định số 124/2020/NĐ-CP, nội dung "
                    "đơn không thuộc thẩm quyền giải quyết của cơ quan.",
                    "Sau khi nghiên cứu, xét thấy nội dung đơn thuộc thẩm quyền giải quyết của "
                    "quý cơ quan.")),
        rng.choice((f"{me} chuyển đơn của {whose} đến {to} để xem xét, giải quyết theo thẩm quyền "
                    "và trả lời cho công dân theo quy định.",
                    f"Đề nghị {to} xem xét, giải quyết theo quy định của pháp luật.")),
        "(Gửi kèm theo đơn và tài liệu liên quan)",
    ]
    lines = head + [f"Số: {num}", "V/v chuyển đơn của công dân", f"Hà Nội, {long_date(sent)}", "",
                    f"Kính gửi: {to}", ""]
    for b in body:
        lines += textwrap.wrap(b, rng.randint(74, 92))
    lines += ["", "Nơi nhận:", "- Như trên;", f"- {who.title} {who.name} (để biết);", "- Lưu: VT.",
              "", *[s for s in sign if s], "", official]
    return "\n".join(lines)


def stamp_block(rng: Rng, on: dt.date, office: str) -> list[str]:
    """A 'received' stamp as OCR reads it; number and date differ on every copy."""
    n = rng.randint(1, 9999)
    style = rng.below(3)
    if style == 0:
        return ["CÔNG VĂN ĐẾN", f"Số: {n}", f"Ngày: {dmy(on)}", f"Chuyển: {rng.choice(('Thanh tra', 'CT', 'PCT', 'TCD', 'Đ/c Hùng'))}"]
    if style == 1:
        return [office.upper(), f"ĐẾN Số: {n}", f"Ngày {on.day}/{on.month}/{on.year}"]
    return ["VĂN PHÒNG HĐND - UBND", "CÔNG VĂN ĐẾN", f"Số: {n} Ngày {dmy(on)}", "Lưu hồ sơ số:"]


def stamped(pages: list[str], rng: Rng, on: dt.date, office: str) -> list[str]:
    """Pages with a received stamp on the first and this copy's page numbers on each."""
    block = stamp_block(rng, on, office)
    first = pages[0].split("\n")
    at = rng.choice((0, 0, 2, 3))
    first[at:at] = block
    out = ["\n".join(first)] + pages[1:]
    n, style = len(out), rng.below(3)
    marks = [(f"Trang {i}/{n}", f"- {i} -", f"{i}/{n}")[style] for i in range(1, n + 1)]
    if rng.chance(0.5):
        return [f"{p}\n{m}" for p, m in zip(out, marks, strict=True)]
    return [f"{m}\n{p}" for p, m in zip(out, marks, strict=True)]


def evidence_page(letter: Letter, rng: Rng) -> str:
    """An extra page: the list of evidence, or a copy of a decision or receipt."""
    t = letter.topic
    if t.extra_pages and rng.chance(0.6):
        return rng.choice(t.extra_pages)
    if rng.chance(0.5):
        lines = ["DANH MỤC TÀI LIỆU, CHỨNG CỨ KÈM THEO ĐƠN", ""]
        lines += [f"{i}. {a} (bản photo, {rng.randint(1, 6)} trang)" for i, a in enumerate(t.attachments, 1)]
        lines += ["", f"Người nộp: {letter.writer.name}"]
        return "\n".join(lines)
    d = letter.date + dt.timedelta(days=rng.randint(1, 9))
    return "\n".join([f"UBND {unit(letter.writer.home.district).upper()}", "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
                      "GIẤY BIÊN NHẬN", f"Số: {rng.randint(100, 99999)}/BN",
                      f"Đã nhận của {letter.writer.title.lower()} {letter.writer.name} 01 đơn kèm "
                      f"{len(t.attachments)} tài liệu.", f"Ngày nhận: {dmy(d)}",
                      "Người nhận (ký, ghi rõ họ tên)", new_person(rng, "-").name])


def original_pages(letter: Letter) -> list[str]:
    """The letter as first received."""
    return render_pages(letter)
