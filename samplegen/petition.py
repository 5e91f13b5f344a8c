"""A petition (đơn thư) as structured parts plus its full text, built from seeded randomness."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from samplegen import people, topics
from samplegen.people import Citizen

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO2 = "Độc lập - Tự do - Hạnh phúc"
SIGNER = "Người làm đơn"
SIGN_HINTS = ("(Ký và ghi rõ họ tên)", "(Ký, ghi rõ họ tên)")
PREFACE = "Tôi xin trình bày sự việc cụ thể như sau:"

_NAME_LABELS = ("Tôi tên là: {}", "Tôi tên là: {}", "Họ và tên: {}", "Họ và tên người {kind}: {}")
_BIRTH_LABELS = ("Sinh ngày: {}", "Ngày sinh: {}", "Năm sinh: {}")
_ADDR_LABELS = ("Địa chỉ: {}", "Địa chỉ thường trú: {}", "Nơi cư trú: {}")
_PHONE_LABELS = ("Số điện thoại: {}", "Số điện thoại: {}", "Điện thoại liên hệ: {}")


@dataclass(frozen=True)
class Petition:
    """A synthetic petition: who, to whom, about what, and the full text as typed."""

    kind: str  # one of topics.KINDS
    topic: str  # key of topics.TOPICS
    day: date
    title: str
    subject: str | None  # "V/v: ..." line, None when the writer left it out
    recipients: tuple[str, ...]
    citizen: Citizen
    facts: tuple[tuple[str, str], ...]
    template: tuple[tuple[str, int], ...]  # every random choice of wording; equal => same template
    body: tuple[str, ...]  # paragraphs from the intro to the request
    closing: str
    attachments: tuple[str, ...] = ()
    text: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", "\n".join(self.lines()))

    @property
    def name(self) -> str:
        """Petitioner's full name."""
        return self.citizen.name

    @property
    def cccd(self) -> str:
        """Petitioner's CCCD (12 digits) or old CMND (9 digits) number."""
        return self.citizen.id_number

    @property
    def phone(self) -> str:
        """Petitioner's phone number, digits only."""
        return self.citizen.phone

    @property
    def address(self) -> str:
        """Petitioner's address as written."""
        return self.citizen.address.text

    def choice(self, key: str, default: int = 0) -> int:
        """The wording alternative taken for ``key`` in the template."""
        return next((v for k, v in self.template if k == key), default)

    def lines(self) -> list[str]:
        """The petition as logical lines (one per paragraph), in reading order."""
        c = self.citizen
        out = [MOTTO, MOTTO2, f"Hà Nội, {topics.long_date(self.day)}", self.title]
        if self.subject:
            out.append(f"(V/v: {self.subject})")
        if len(self.recipients) == 1:
            out.append(f"Kính gửi: {self.recipients[0]}")
        else:
            out.append("Kính gửi:")
            out += [f"- {r}{';' if i < len(self.recipients) - 1 else '.'}" for i, r in enumerate(self.recipients)]
        out.append(_NAME_LABELS[self.choice("name_label")].format(c.name, kind=topics.KIND_WORD[self.kind]))
        b = self.choice("birth_label")
        out.append(_BIRTH_LABELS[b].format(str(c.birth_date.year) if b == 2 else topics.dmy(c.birth_date)))
        issued = topics.dmy(c.id_issued)
        if c.id_kind == "CMND":
            out.append(f"Số CMND: {c.id_number}, cấp ngày {issued} tại Công an thành phố Hà Nội")
        elif self.choice("id_label") == 0:
            out.append(f"Số CCCD: {c.id_number}")
        else:
            out.append(f"Số CCCD: {c.id_number}, cấp ngày {issued}")
        out.append(_ADDR_LABELS[self.choice("addr_label")].format(c.address.text))
        out.append(_PHONE_LABELS[self.choice("phone_label")].format(_phone(c.phone, self.choice("phone_fmt"))))
        out += self.body
        out.append(self.closing)
        if self.attachments:
            out.append("Tài liệu kèm theo:")
            out += [f"- {a}" for a in self.attachments]
        out += [SIGNER, SIGN_HINTS[self.choice("sign_hint")], c.name]
        return out


def _phone(phone: str, fmt: int) -> str:
    if fmt == 0:
        return phone
    sep = " " if fmt == 1 else "."
    return f"{phone[:4]}{sep}{phone[4:7]}{sep}{phone[7:]}"


def _pick(rng: random.Random, template: dict[str, int] | None, choices: list[tuple[str, int]],
          key: str, n: int, weights: list[float] | None = None) -> int:
    """Take the template's choice for ``key`` if given, else draw one; record it."""
    if template is not None and key in template:
        v = template[key]
    else:
        v = rng.choices(range(n), weights=weights)[0] if weights else rng.randrange(n)
    choices.append((key, v))
    return v


def make_petition(rng: random.Random, *, kind: str | None = None, topic: str | None = None,
                  citizen: Citizen | None = None, day: date | None = None,
                  template: tuple[tuple[str, int], ...] | None = None,
                  district: str | None = None, ward: str | None = None,
                  long: bool | None = None) -> Petition:
    """A new petition; pass ``template`` (from another petition) to reuse its exact wording choices."""
    tdict: dict[str, int] | None = None
    pads_given: list[int] = []
    if template is not None:
        tdict = {k: v for k, v in template if k != "pad"}
        pads_given = [v for k, v in template if k == "pad"]
    if topic is None:
        topic = rng.choice(sorted(topics.TOPICS))
    t = topics.TOPICS[topic]
    if kind is None:
        kind = rng.choice(t.kinds)
    if kind not in t.intro:
        kind = t.kinds[0]
    if day is None:
        day = date(2025, 6, 1) + timedelta(days=rng.randint(0, 300))
    if citizen is None:
        citizen = people.citizen(rng, district=district, ward=ward, today=day)
    facts = t.facts(rng, citizen, day)
    ch: list[tuple[str, int]] = []
    pick = lambda key, n, w=None: _pick(rng, tdict, ch, key, n, w)  # noqa: E731
    fill = lambda s: s.format_map(facts)  # noqa: E731

    pick("name_label", 4, [5, 2, 2, 1])
    pick("birth_label", 3, [5, 3, 2])
    pick("id_label", 2)
    pick("addr_label", 3, [6, 2, 2])
    pick("phone_label", 3)
    pick("phone_fmt", 3, [7, 2, 1])
    pick("sign_hint", 2)
    recipients = [fill(t.recipients[pick("recipient", len(t.recipients))])]
    extra = pick("recipient2", len(topics.EXTRA_RECIPIENTS) + 2) - 2  # <0: none
    if extra >= 0:
        recipients.append(topics.EXTRA_RECIPIENTS[extra])
    subject = fill(t.subject) if pick("subject", 3) else None

    body = [fill(t.intro[kind][pick("intro", len(t.intro[kind]))])]
    if pick("preface", 2):
        body.append(PREFACE)
    for i, alts in enumerate(t.slots):
        body.append(fill(alts[pick(f"slot{i}", len(alts))]))
    request = fill(t.requests[pick("request", len(t.requests))])
    law = topics.KIND_LAW[kind] if pick("law", 2) else None
    closings = topics.CLOSINGS.get(kind, topics.CLOSINGS["default"])
    closing = closings[pick("closing", len(closings))]
    n_attach = pick("attach", len(t.attachments) + 1, [3] + [1] * len(t.attachments))
    attachments = tuple(fill(a) for a in t.attachments[:n_attach])
    if attachments:  # the list ends with a full stop wherever the writer cut it
        attachments = (*attachments[:-1], attachments[-1].rstrip(";.") + ".")
    if long is None:
        long = bool(pick("long", 2, [85, 15]))
    else:
        ch.append(("long", int(long)))

    # Pad with topic-neutral paragraphs (before the request) up to a target length.
    if template is not None:
        pads = pads_given
    else:
        target = rng.randint(3300, 4300) if long else rng.randint(1500, 2500)
        order = rng.sample(range(len(topics.PADDING)), len(topics.PADDING))
        bare = Petition(kind=kind, topic=topic, day=day, title=topics.KIND_TITLE[kind], subject=subject,
                        recipients=tuple(recipients), citizen=citizen, facts=(), template=(),
                        body=(*body, request, *([law] if law else [])), closing=closing, attachments=attachments)
        size = len(bare.text)
        pads = []
        for i in order[: len(order) if long else 3]:
            if size + len(topics.PADDING[i]) // 2 >= target:
                break
            pads.append(i)
            size += len(topics.PADDING[i]) + 1
    ch += [("pad", i) for i in pads]
    body += [topics.PADDING[i] for i in pads]
    body.append(request)
    if law:
        body.append(law)
    return Petition(kind=kind, topic=topic, day=day, title=topics.KIND_TITLE[kind], subject=subject,
                    recipients=tuple(recipients), citizen=citizen, facts=tuple(sorted(facts.items())),
                    template=tuple(ch), body=tuple(body), closing=closing, attachments=attachments)
