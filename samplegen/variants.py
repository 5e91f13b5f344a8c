"""Labelled variants of a petition: true duplicates (resent, edited, cover letter) and hard negatives."""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from samplegen import topics
from samplegen.petition import MOTTO, MOTTO2, PREFACE, SIGN_HINTS, SIGNER, Petition, make_petition

DUPLICATE_VARIANTS = ("rescan", "resent", "edited", "cover")
NEGATIVE_VARIANTS = ("same_citizen_other_matter", "same_template_other_person")
ALL = DUPLICATE_VARIANTS + NEGATIVE_VARIANTS

_RESENT = (
    "Ngày {old}, tôi đã gửi đơn này đến {to} nhưng đến nay đã hơn {months} tháng vẫn chưa nhận được văn bản "
    "trả lời. Vì vậy, tôi gửi lại đơn và kính đề nghị các cơ quan có thẩm quyền xem xét, giải quyết.",
    "Tôi đã gửi đơn với nội dung tương tự vào ngày {old} nhưng chưa được trả lời, nay tôi tiếp tục gửi đơn này.",
    "Đơn này tôi đã gửi lần đầu ngày {old}, đến nay vụ việc vẫn chưa được xem xét và tôi chưa nhận được thông báo thụ lý nào.",
)
_EDIT_ADDED = (
    "Ngoài ra, từ khi gửi đơn đến nay sự việc có thêm diễn biến mới, thiệt hại của gia đình tôi ngày càng lớn.",
    "Tôi xin bổ sung thêm: gia đình tôi đã thu thập được thêm tài liệu, hình ảnh chứng minh cho nội dung nêu trên.",
    "Đề nghị cơ quan có thẩm quyền sớm cử cán bộ xuống kiểm tra thực tế tại địa bàn để nắm rõ sự việc.",
)


def resend(p: Petition, rng: random.Random) -> Petition:
    """The same letter sent again later: new date and a sentence saying it was sent before and not answered."""
    months = rng.randint(2, 6)
    new_day = p.day + timedelta(days=30 * months + rng.randint(0, 20))
    note = rng.choice(_RESENT).format(old=topics.dmy(p.day), to=p.recipients[0], months=months)
    title = f"{p.title} (LẦN 2)" if rng.random() < 0.5 else p.title
    body = list(p.body)
    body.insert(1, note)
    return replace(p, day=new_day, title=title, body=tuple(body))


def edit(p: Petition, rng: random.Random) -> Petition:
    """Re-typed by the same person with a paragraph added or one paragraph reworded."""
    t = topics.TOPICS[p.topic]
    facts = dict(p.facts)
    body = list(p.body)
    start = 2 if body[1] == PREFACE else 1
    slots = [(i, alts) for i, alts in enumerate(t.slots) if len(alts) > 1]
    if slots and rng.random() < 0.6:
        i, alts = rng.choice(slots)
        current = p.choice(f"slot{i}")
        other = rng.choice([k for k in range(len(alts)) if k != current])
        body[start + i] = alts[other].format_map(facts)
        if rng.random() < 0.5:
            body.insert(start + len(t.slots), rng.choice(_EDIT_ADDED))
    else:
        body.insert(start + len(t.slots), rng.choice(_EDIT_ADDED))
    return replace(p, body=tuple(body))


def cover_letter(p: Petition, rng: random.Random, *, pages: int) -> str:
    """Text of a one-page cover letter that forwards petition ``p`` (of ``pages`` pages) again."""
    day = p.day + timedelta(days=rng.randint(20, 120))
    c = p.citizen
    to = rng.choice((p.recipients[0], *topics.EXTRA_RECIPIENTS[:2]))
    what = f"đơn {topics.KIND_WORD[p.kind]} đề ngày {topics.dmy(p.day)}"
    body = rng.choice((
        f"Tôi xin gửi kèm theo văn bản này {what} (gồm {pages} trang) về việc {topics.TOPICS[p.topic].subject.format_map(dict(p.facts))}.",
        f"Kèm theo đây là {what} của tôi (gồm {pages} trang). Đơn đã được gửi trước đây nhưng tôi chưa nhận được kết quả giải quyết.",
    ))
    ask = rng.choice((
        "Kính đề nghị Quý cơ quan tiếp nhận, xem xét và chuyển đơn đến cơ quan có thẩm quyền giải quyết theo quy định.",
        "Kính mong Quý cơ quan quan tâm, đôn đốc việc giải quyết và thông báo kết quả cho tôi được biết.",
    ))
    lines = [MOTTO, MOTTO2, f"Hà Nội, {topics.long_date(day)}", "THƯ GỬI KÈM ĐƠN", f"Kính gửi: {to}",
             f"Tôi tên là: {c.name}", f"Số {c.id_kind}: {c.id_number}", f"Địa chỉ: {c.address.text}",
             f"Số điện thoại: {c.phone}", body, ask, "Tôi xin trân trọng cảm ơn!", SIGNER, SIGN_HINTS[0], c.name]
    return "\n".join(lines)


def other_matter(p: Petition, rng: random.Random) -> Petition:
    """Hard negative: the same citizen (name, CCCD, phone) writing about a different matter."""
    topic = p.topic if rng.random() < 0.5 else rng.choice([k for k in topics.TOPICS if k != p.topic])
    return make_petition(rng, topic=topic, citizen=p.citizen, day=p.day + timedelta(days=rng.randint(-60, 90)))


def other_person(p: Petition, rng: random.Random) -> Petition:
    """Hard negative: same kind, topic, wording, recipient and ward; another person and other specifics."""
    a = p.citizen.address
    return make_petition(rng, kind=p.kind, topic=p.topic, template=p.template, district=a.district, ward=a.ward,
                         day=p.day + timedelta(days=rng.randint(-30, 30)))
