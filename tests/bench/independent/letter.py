"""A petition as data (what it says, in which words, laid out how) and its rendering to text."""
from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass, field, replace

from ._rng import Rng
from .people import Person, particulars
from .vocab import dmy, long_date


@dataclass(frozen=True)
class Sentence:
    """One statement and the several ways it can be worded; ``pick`` says which is used."""

    alts: tuple[str, ...]
    pick: int

    def text(self) -> str:
        """The chosen wording."""
        return self.alts[self.pick % len(self.alts)]

    def reworded(self, rng: Rng) -> Sentence:
        """The same statement in another of its wordings (itself if it has only one)."""
        if len(self.alts) < 2:
            return self
        return replace(self, pick=(self.pick + 1 + rng.below(len(self.alts) - 1)) % len(self.alts))


class Writer:
    """Draws wording choices from one stream and values from another.

    Two letters made with the same ``style`` stream and different ``value`` streams are the
    same template filled in differently (the neighbouring-parcel hard negatives).
    """

    def __init__(self, style: Rng, value: Rng) -> None:
        self.style = style
        self.v = value

    def s(self, *alts: str) -> Sentence:
        """A statement worded in one of ``alts``."""
        return Sentence(tuple(alts), self.style.below(len(alts)))


@dataclass
class Topic:
    """What a matter is about: the facts, the requests and the papers behind them."""

    key: str
    kind: str                    # KHIẾU NẠI, TỐ CÁO, KIẾN NGHỊ, PHẢN ÁNH, ĐỀ NGHỊ
    subject: str                 # what goes after "V/v"
    addressees: list[str]        # first the office in charge, then higher ones
    facts: list[list[Sentence]]
    argue: list[Sentence]
    requests: list[Sentence]
    attachments: list[str]
    extra_pages: list[str] = field(default_factory=list)
    spare: list[Sentence] = field(default_factory=list)
    params: dict = field(default_factory=dict)


@dataclass
class Letter:
    """One letter as sent: a topic, a writer (or a group of households) and a layout."""

    topic: Topic
    writer: Person
    addressees: list[str]
    date: dt.date
    style: dict
    intro: Sentence
    closing: list[Sentence]
    legal: Sentence | None = None
    signers: list[Person] = field(default_factory=list)   # collective letters only
    group_name: str = ""
    prior: list[str] = field(default_factory=list)        # "I already sent this on ..."
    title_suffix: str = ""
    extra_para: list[Sentence] = field(default_factory=list)

    @property
    def collective(self) -> bool:
        """A letter of several households."""
        return bool(self.signers)


ROLE = {"KHIẾU NẠI": "người khiếu nại", "TỐ CÁO": "người tố cáo", "KIẾN NGHỊ": "người kiến nghị",
        "PHẢN ÁNH": "người phản ánh", "ĐỀ NGHỊ": "người đề nghị", "TRÌNH BÀY": "người làm đơn"}

HEADERS = (
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "---------------"),
    ("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập – Tự do – Hạnh phúc", "-----o0o-----"),
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập – Tự do – Hạnh phúc", "*****"),
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc Lập - Tự Do - Hạnh Phúc", "_______________"),
    ("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", ""),
)


def new_style(rng: Rng) -> dict:
    """Layout choices of one typist."""
    return {"header": rng.below(len(HEADERS)), "date_top": rng.chance(0.55),
            "date_pad": rng.chance(0.4), "subject": rng.below(4), "addr_list": rng.chance(0.5),
            "layout": rng.below(5), "addr_style": rng.below(12), "req_style": rng.below(3),
            "sign": rng.below(4), "width": rng.randint(72, 96), "page_lines": rng.randint(40, 52),
            "attach_head": rng.below(4), "center": rng.chance(0.5), "place": rng.chance(0.25)}


def intro_sentence(w: Writer, kind: str, we: bool) -> Sentence:
    """The sentence that opens the account of facts."""
    i = "Chúng tôi" if we else "Tôi"
    k = kind.lower()
    return w.s(f"{i} làm đơn này kính đề nghị quý cơ quan xem xét, giải quyết sự việc sau:",
               f"Nay {i.lower()} làm đơn này {k} với nội dung như sau:",
               f"{i} xin trình bày sự việc như sau:",
               f"{i} xin trình bày với quý cơ quan một việc như sau:",
               f"Bằng đơn này, {i.lower()} xin {k} sự việc cụ thể như sau:",
               f"{i} viết đơn này để {k} về sự việc sau đây:")


def legal_sentence(w: Writer, kind: str) -> Sentence:
    """The laws a letter cites before the facts."""
    law = {"KHIẾU NẠI": "Luật Khiếu nại năm 2011", "TỐ CÁO": "Luật Tố cáo năm 2018"}.get(
        kind, "Luật Tiếp công dân năm 2013")
    return w.s(f"Căn cứ {law};", f"Căn cứ {law} và các văn bản hướng dẫn thi hành;",
               f"Căn cứ quy định của {law} và Luật Tiếp công dân năm 2013;")


def closing_sentences(w: Writer, we: bool) -> list[Sentence]:
    """The last paragraph: the pledge and the thanks."""
    i = "chúng tôi" if we else "tôi"
    gd = "các hộ dân chúng tôi" if we else "gia đình tôi"
    return [
        w.s(f"{i.capitalize()} xin cam đoan những nội dung trình bày trên là đúng sự thật và "
            "xin chịu trách nhiệm trước pháp luật về lời khai của mình.",
            f"{i.capitalize()} cam đoan toàn bộ nội dung trên là đúng sự thật, nếu sai {i} "
            "xin hoàn toàn chịu trách nhiệm.",
            f"{i.capitalize()} xin cam kết những điều trình bày trên là hoàn toàn đúng sự thật."),
        w.s(f"Kính mong quý cơ quan sớm xem xét, giải quyết để bảo đảm quyền lợi hợp pháp "
            f"cho {gd}.",
            "Rất mong nhận được sự quan tâm, giải quyết sớm của quý cơ quan.",
            f"Kính mong các cấp lãnh đạo quan tâm giải quyết dứt điểm để {gd} yên tâm "
            "sinh sống.",
            f"{i.capitalize()} rất mong sớm nhận được văn bản trả lời của quý cơ quan."),
        w.s(f"{i.capitalize()} xin chân thành cảm ơn!", "Trân trọng cảm ơn!",
            "Xin trân trọng cảm ơn!", "Kính đơn!"),
    ]


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False) or [""]


def _centre(line: str, width: int, on: bool) -> str:
    return line.center(width).rstrip() if on else line


def render_pages(letter: Letter) -> list[str]:
    """The letter as the text of its pages."""
    st, t = letter.style, letter.topic
    width, c = st["width"], st["center"]
    we = letter.collective
    out: list[str] = []
    h1, h2, h3 = HEADERS[st["header"]]
    out += [_centre(h1, width, c), _centre(h2, width, c)] + ([_centre(h3, width, c)] if h3 else [])
    place = letter.writer.home.ward if st.get("place") else "Hà Nội"
    date_line = f"{place}, {long_date(letter.date, st['date_pad'])}"
    if st["date_top"]:
        out += [date_line.rjust(width) if c else date_line]
    out.append("")
    title = f"ĐƠN {t.kind}" + (" TẬP THỂ" if we and st["sign"] % 2 else "") + letter.title_suffix
    out.append(_centre(title, width, c))
    subj = ("(V/v: {})", "V/v: {}", "Về việc: {}", "(Về việc {})")[st["subject"]]
    out += [_centre(x, width, c) for x in _wrap(subj.format(t.subject), width - 8)]
    out.append("")
    if len(letter.addressees) == 1:
        out += _wrap(f"Kính gửi: {letter.addressees[0]}", width)
    elif st["addr_list"]:
        out.append("Kính gửi:")
        out += [f"    - {a};" for a in letter.addressees[:-1]] + [f"    - {letter.addressees[-1]}."]
    else:
        out += _wrap("Kính gửi: " + "; ".join(letter.addressees) + ".", width)
    out.append("")
    role = ROLE.get(t.kind, "người làm đơn")
    if we:
        out += _wrap(f"Chúng tôi là các hộ dân {letter.group_name}, có tên trong danh sách kèm "
                     "theo đơn này.", width)
        out += _wrap(f"Đại diện các hộ dân: {letter.writer.title} {letter.writer.name}", width)
        for line in particulars(letter.writer, st["layout"], "người đại diện", st["addr_style"])[1:]:
            out += _wrap(line, width)
    else:
        for line in particulars(letter.writer, st["layout"], role, st["addr_style"]):
            out += _wrap(line, width)
    out.append("")
    if letter.legal is not None:
        out += _wrap(letter.legal.text(), width)
    for p in letter.prior:
        out += _wrap(p, width)
    out += _wrap(letter.intro.text(), width)
    for para in t.facts:
        out += _wrap(" ".join(s.text() for s in para), width)
    if letter.extra_para:
        out += _wrap(" ".join(s.text() for s in letter.extra_para), width)
    if t.argue:
        out += _wrap(" ".join(s.text() for s in t.argue), width)
    i = "chúng tôi" if we else "tôi"
    lead = (f"Vì vậy, {i} kính đề nghị:", f"Từ những sự việc nêu trên, {i} đề nghị quý cơ quan:",
            f"Nay {i} làm đơn này kính đề nghị:")[st["req_style"]]
    out += _wrap(lead, width)
    for n, r in enumerate(t.requests, 1):
        mark = f"{n}." if st["req_style"] != 1 else "-"
        out += _wrap(f"{mark} {r.text()}", width)
    for s in letter.closing:
        out += _wrap(s.text(), width)
    out.append("")
    if not st["date_top"]:
        out.append(date_line.rjust(width) if c else date_line)
    sign = (("NGƯỜI LÀM ĐƠN", "(Ký, ghi rõ họ tên)"), (role.upper(), "(Ký và ghi rõ họ tên)"),
            ("Người viết đơn", "(ký tên)"), ("NGƯỜI LÀM ĐƠN", ""))[st["sign"]]
    if we:
        sign = ("ĐẠI DIỆN CÁC HỘ DÂN", sign[1])
    out += [x.rjust(width - 10) if c else x for x in sign if x]
    out += ["", (letter.writer.name.rjust(width - 10) if c else letter.writer.name)]
    if t.attachments:
        out.append("")
        out.append(("Tài liệu kèm theo:", "Hồ sơ gửi kèm:", "Kèm theo đơn gồm có:",
                    "* Tài liệu gửi kèm theo đơn:")[st["attach_head"]])
        out += [f"- {a};" for a in t.attachments]
    if we:
        out += ["", _centre("DANH SÁCH CÁC HỘ DÂN KÝ TÊN", width, c),
                "STT | Họ và tên chủ hộ | Địa chỉ | Số CCCD/CMND | Ký tên"]
        for n, s in enumerate([letter.writer, *letter.signers], 1):
            out.append(f"{n} | {s.name} | {s.home.house or s.home.street} | {s.id_no} | (đã ký)")
    return _paginate(out, st["page_lines"])


def _paginate(lines: list[str], per_page: int) -> list[str]:
    pages, cur = [], []
    for line in lines:
        cur.append(line)
        if len(cur) >= per_page and line.strip():
            pages.append("\n".join(cur))
            cur = []
    if any(x.strip() for x in cur):
        pages.append("\n".join(cur))
    return pages


def prior_sentence(w: Writer, sent_on: dt.date, office: str, we: bool) -> list[str]:
    """What a re-sent letter adds: when it was sent before, and that nothing came of it."""
    i = "Chúng tôi" if we else "Tôi"
    s = w.s(f"{i} đã gửi đơn ngày {dmy(sent_on)} đến {office} nhưng đến nay chưa được giải quyết.",
            f"Ngày {dmy(sent_on)}, {i.lower()} đã có đơn gửi {office}, tuy nhiên đến nay đã quá "
            "thời hạn theo quy định mà vẫn chưa nhận được bất kỳ văn bản trả lời nào.",
            f"Sự việc này {i.lower()} đã trình bày trong đơn gửi {office} {long_date(sent_on)} "
            "nhưng chưa được xem xét, giải quyết.",
            f"{i} đã nhiều lần gửi đơn, lần gần nhất vào ngày {dmy(sent_on)}, nhưng đến nay "
            "sự việc vẫn chưa được giải quyết dứt điểm.")
    return [s.text()]
