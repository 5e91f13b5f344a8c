"""Read a petition's fields from its (OCR) text: a pure function of the text.

Labels are found on the diacritic-folded form of each line ("Họ và tên", "Ho va ten" and
"Họ và tèn" all fold close to ``ho va ten``) by edit-distance similarity to a list of the
ways petitions write them, so a dropped mark, a misread letter or a missing colon still
finds its field. Values are then read by what they must look like (12 or 9 digits, a
phone number, two to six capitalised words), reading digits through the letters OCR
confuses with them. Every field gets a confidence 0..1: how well its label matched times
how well its value has the expected shape; a value found without a label is less sure.
"""
from __future__ import annotations

import re
from datetime import date

from rapidfuzz import fuzz

from edge.fields.model import SLASH_DATE, PetitionFields
from edge.fingerprint.normalize import fold, nfc

# The ways petitions label each field (folded). More labels cost nothing: the best match wins.
_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("ho va ten", "ho ten", "toi ten la", "ten toi la", "toi la", "ten nguoi lam don",
             "nguoi lam don", "nguoi khieu nai", "nguoi to cao", "nguoi kien nghi",
             "nguoi phan anh", "nguoi de nghi", "ho va ten nguoi khieu nai", "ho va ten nguoi to cao",
             "ho va ten nguoi kien nghi", "ho va ten nguoi phan anh", "ho va ten nguoi de nghi",
             "toi ten", "dai dien", "nguoi dai dien"),
    "id_number": ("so cccd", "cccd", "so cmnd", "cmnd", "cccd cmnd so", "so cccd cmnd", "cccd so",
                  "cmnd so", "can cuoc cong dan so", "so can cuoc cong dan", "so can cuoc",
                  "chung minh nhan dan so", "so chung minh nhan dan", "so dinh danh ca nhan",
                  "so dinh danh", "the can cuoc so"),
    "phone": ("so dien thoai", "dien thoai", "dien thoai lien he", "so dien thoai lien he", "sdt",
              "dt", "so dt", "dt lien he", "di dong", "so di dong"),
    "address": ("dia chi", "dia chi thuong tru", "dia chi lien he", "noi cu tru", "noi o hien nay",
                "cho o hien nay", "thuong tru tai", "tru tai", "thuong tru", "cu tru tai", "noi o",
                "dia chi cu tru", "hien cu tru tai", "ho khau thuong tru", "ho khau thuong tru tai",
                "hien o tai", "o tai"),
    "addressee": ("kinh gui", "dong kinh gui", "gui"),
    "subject": ("v v", "ve viec", "vv", "noi dung", "trich yeu"),
    # Read only so that their digits are not taken for another field.
    "_birth": ("sinh ngay", "ngay sinh", "nam sinh", "ngay thang nam sinh"),
}
_KINDS = {"khieu nai": "khiếu nại", "to cao": "tố cáo", "kien nghi": "kiến nghị",
          "phan anh": "phản ánh", "de nghi": "đề nghị"}
# Similarity (0..100) at which a line's head is taken for a label: one wrong letter in a
# label of five (the shortest fuzzy one) is 80; two in ten still is. Below that, ordinary
# words start to look like labels ("dia diem" vs "dia chi" is 67).
_LABEL_MIN = 80.0
_SHORT = 3  # labels this short (dt, gui) must match exactly: any two letters are "close"
_HEAD_WORDS = 8  # a label ends within this many words of the line start
# Particulars, addressee and date head a petition: labels are looked for in its first lines
# only (three pages of OCR lines), which keeps a 200-page import to milliseconds.
_HEAD_LINES = 150
# Letters OCR reads in place of digits, inside a number.
_AS_DIGIT = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1",
                           "|": "1", "!": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2",
                           "G": "6", "b": "6", "g": "9", "q": "9", "T": "7"})
# A number read through letters: below the screen's "sure" mark (0.8), so the clerk checks it.
_MAPPED = 0.7
_NUMBERISH = re.compile(r"[0-9OoDQlIi|!SsBZzGbgqT](?:[ .\-]?[0-9OoDQlIi|!SsBZzGbgqT])+")
# "ngày 5 tháng 11 năm 2025", folded; OCR garbles the words more than the digits, so only
# their first letters are required.
_DATE = re.compile(r"(?:^|\s)[a-z]{0,5}\s*([0-9ol]{1,2})\s*[a-z]{1,6}(?:\s[a-z]{1,4})?\s*([0-9ol]{1,2})"
                   r"\s*[a-z]{1,4}\s*([0-9ol]{4})\b")
_NAME_WORD = re.compile(r"^[^\W\d_]+$")


def _label(line: str) -> tuple[str, float, str]:
    """(field, similarity 0..1, value) of the label a line starts with, or ("", 0, "")."""
    colon = line.find(":")
    if 0 < colon <= 60:
        head, value, colon_found = line[:colon], line[colon + 1:], True
    else:
        head, value, colon_found = line, "", False
    words = fold(head).split()
    if not words:
        return "", 0.0, ""
    best = ("", 0.0, 0)
    for name, labels in _LABELS.items():
        for label in labels:
            n = len(label.split())
            for k in {n - 1, n, n + 1}:
                if k < 1 or k > len(words) or k > _HEAD_WORDS:
                    continue
                cand = " ".join(words[:k])
                if len(label) <= _SHORT:
                    score = 100.0 if cand == label else 0.0
                else:
                    score = fuzz.ratio(cand, label)
                # With a colon, the whole head should be the label (a few words may follow:
                # "Họ và tên người khiếu nại"); without one, the label must come first.
                extra = len(words) - k
                if colon_found and extra > 3:
                    score = 0.0
                if score > best[1] or (score == best[1] and k > best[2]):
                    best = (name, score, k)
    name, score, k = best
    if score < _LABEL_MIN:
        return "", 0.0, ""
    if not colon_found:
        value = _after_words(line, k)
        score *= 0.9  # no colon: a sentence may just start with these words
    return name, score / 100.0, value.strip()


def _after_words(line: str, k: int) -> str:
    """The part of ``line`` after its first ``k`` folded words."""
    seen = 0
    for m in re.finditer(r"\S+", line):
        seen += len(fold(m.group()).split())
        if seen >= k:
            return line[m.end():]
    return ""


def _digits(value: str) -> tuple[str, float]:
    """The first number in ``value``, read through OCR's letter-for-digit confusions.

    With how sure the digits are: 1 when every one was printed as a digit; lower when a
    letter had to be read as one (O as 0 is usually right, but a misread digit that came
    out as a letter maps back to any digit), so the clerk is asked to check it.
    """
    for m in _NUMBERISH.finditer(value):
        raw = m.group()
        bare = raw.replace(" ", "").replace(".", "").replace("-", "")
        real = sum(c.isdigit() for c in bare)
        if real >= max(3, len(bare) // 2):
            return re.sub(r"\D", "", raw.translate(_AS_DIGIT)), 1.0 if real == len(bare) else _MAPPED
    return "", 0.0


def _id_number(value: str) -> tuple[str, float]:
    d, sure = _digits(value)
    if len(d) in (9, 12):
        return d, sure
    if len(d) in (11, 13):  # a digit lost or doubled: show it, flagged
        return d[:12], 0.4
    return "", 0.0


def _phone(value: str) -> tuple[str, float]:
    d, sure = _digits(value)
    if d.startswith("84") and len(d) == 11:
        d = "0" + d[2:]
    if len(d) == 10 and d.startswith("0"):
        return d, sure
    if len(d) in (9, 11) and d.startswith(("0", "9", "8", "7", "3", "5")):
        return d, 0.4
    return "", 0.0


def _name(value: str) -> tuple[str, float]:
    value = re.split(r",|;|\(|\bsinh\b|\bSinh\b|\bnăm\b|\bNăm\b|\d", value)[0]
    words = [w.strip(".:-–") for w in value.split()]
    words = [w for w in words if w]
    if not 2 <= len(words) <= 6 or not all(_NAME_WORD.match(w) for w in words):
        return "", 0.0
    caps = sum(w[0].isupper() for w in words) / len(words)
    return " ".join(w[0].upper() + w[1:] for w in words), 0.5 + 0.5 * caps


def _continues(value: str, nxt: str) -> bool:
    """Does the next physical line carry on ``value`` (OCR breaks long lines)?"""
    nxt = nxt.strip()
    return bool(nxt) and not _label(nxt)[0] and (value.rstrip().endswith((",", "-")) or nxt[0].islower())


def _clip(text: str) -> str:
    return " ".join(text.split())[:300]


def _date(lines: list[str]) -> tuple[str, float]:
    for i, line in enumerate(lines):
        f = fold(line)
        if f.startswith(("sinh", "ngay sinh", "nam sinh")) or "cap ngay" in f:
            continue
        m = _DATE.search(f)
        slash = None if m else (SLASH_DATE.search(line) if "," in line[:40] and i < 12 else None)
        parts = m.groups() if m else slash.groups() if slash else None
        if not parts:
            continue
        try:
            d, mo, y = (int(p.translate(_AS_DIGIT)) for p in parts)
            found = date(y, mo, d)
        except ValueError:
            continue
        # The letter's own date heads it ("Hà Nội, ngày …"); a date further down is an event.
        return found.isoformat(), 0.9 if i < 12 else 0.5
    return "", 0.0


def _kind(lines: list[str], text_folded: str) -> tuple[str, float]:
    for line in lines[:20]:
        f = fold(line)
        if not f.startswith("don") or len(f.split()) > 6:
            continue
        rest = f[3:].strip()
        for key, kind in _KINDS.items():
            if fuzz.ratio(rest[:len(key)], key) >= _LABEL_MIN:
                return kind, 0.95
    counts = {kind: text_folded.count(key) for key, kind in _KINDS.items()}
    best = max(counts, key=lambda k: counts[k])
    if counts[best]:
        return best, 0.5
    return "other", 0.3


def _signature_name(lines: list[str]) -> str:
    """The name under the signature (the last name-shaped line of the letter)."""
    for line in reversed(lines[-8:]):
        name, conf = _name(line)
        if name and conf == 1.0 and len(name.split()) <= 5:
            return name
    return ""


def _first_request(lines: list[str], start: int) -> str:
    for line in lines[start:]:
        labelled = _label(line)[0] and 0 < line.find(":") <= 60
        if len(line) >= 30 and not labelled and not _DATE.search(fold(line)) and not line.isupper():
            return _clip(re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0])
    return ""


_ADDRESS_PART = ("phuong", "quan", "huyen", "xa", "thi tran", "thi xa", "thanh pho", "tp", "ha noi",
                 "tinh", "thon", "to ", "ngo", "ngach", "so ", "khu", "cum", "xom", "ap")


def _inline(line: str, found: dict[str, str]) -> list[tuple[str, str, float]]:
    """Fields labelled inside a sentence ("Tôi tên là …, CCCD số …, trú tại …, phường …")."""
    out: list[tuple[str, str, float]] = []
    parts = [p.strip() for p in re.split(r"[,;]", line)]
    for i, part in enumerate(parts):
        name, score, value = _label(part)
        if not name or name.startswith("_") or name in found or i == 0 and name != "name":
            continue
        score *= 0.9  # inside a sentence: a little less sure than on a line of its own
        if name == "name":
            v, c = _name(value)
        elif name == "id_number":
            v, c = _id_number(value)
        elif name == "phone":
            v, c = _phone(value)
        elif name == "address":
            tail = []
            for p in parts[i + 1:]:
                if not fold(p).startswith(_ADDRESS_PART) or _label(p)[0]:
                    break
                tail.append(p)
            v, c = _clip(", ".join([value, *tail]).strip(" .")), 1.0
        else:
            continue
        out.append((name, v, c * score))
    return out


def extract(text: str) -> PetitionFields:
    """The fields of a petition's text; a field not found is "" with confidence 0."""
    lines = [nfc(x).strip() for x in text.splitlines()]
    lines = [x for x in lines if x]
    found: dict[str, str] = {}
    conf: dict[str, float] = {}
    last_label = 0

    def take(name: str, value: str, c: float, at: int = -1) -> None:
        nonlocal last_label
        if value and c > conf.get(name, 0.0):
            found[name], conf[name] = value, round(c, 3)
            if name in ("name", "id_number", "phone", "address"):
                last_label = max(last_label, at + 1)

    for i, line in enumerate(lines[:_HEAD_LINES]):
        field_name, score, value = _label(line)
        if not field_name or field_name.startswith("_"):
            continue
        if field_name == "name" and "name" not in found:
            v, c = _name(value)
            take("name", v, c * score, i)
        elif field_name == "id_number" and "id_number" not in found:
            v, c = _id_number(value)
            take("id_number", v, c * score, i)
        elif field_name == "phone" and "phone" not in found:
            v, c = _phone(value)
            take("phone", v, c * score, i)
        elif field_name == "address" and "address" not in found:
            j = i + 1
            while j < len(lines) and j < i + 3 and _continues(value, lines[j]):
                value, j = f"{value} {lines[j]}", j + 1
            value = value.strip(" .;")
            take("address", _clip(value), score * (1.0 if len(value) >= 10 else 0.5), i)
        elif field_name == "addressee" and "addressee" not in found:
            parts = [value.strip(" .;")] if value.strip(" .;") else []
            for nxt in lines[i + 1:i + 6]:
                if not nxt.startswith(("-", "+", "•")):
                    # A name broken over two lines ends on a short one that is no label.
                    if (parts and len(parts) == 1 and len(nxt.split()) <= 4 and not _label(nxt)[0]
                            and not nxt.isupper() and not nxt.endswith(":")):
                        parts[0] = f"{parts[0]} {nxt.rstrip(' .;')}"
                    break
                parts.append(nxt.lstrip("-+• ").rstrip(" .;"))
            take("addressee", _clip("; ".join(parts)), score)
        elif field_name == "subject" and "subject" not in found:
            value = value.strip()
            if i + 1 < len(lines) and "(" in line and ")" not in line:
                value = f"{value} {lines[i + 1]}"
            take("subject", _clip(value.strip(" ()[].")), score * 0.95)

    for i, line in enumerate(lines[:last_label + 6]):  # particulars as one sentence, comma by comma
        for name, value, c in _inline(line, found):
            take(name, value, c, i)

    signed = _signature_name(lines)
    if signed and fold(signed) == fold(found.get("name", "")):
        conf["name"] = max(conf["name"], 0.95)  # the label and the signature agree
    elif signed and "name" not in found:
        take("name", signed, 0.6)
    whole = "\n".join(lines)
    if "id_number" not in found:  # a lone 12-digit number is most likely a CCCD
        m = re.search(r"(?<![\d/.])\d{12}(?![\d/.])", whole)
        if m:
            take("id_number", m.group(), 0.5)
    if "phone" not in found:
        m = re.search(r"(?<![\d/.])0[35789]\d{2}[ .]?\d{3}[ .]?\d{3}(?![\d/.])", whole)
        if m:
            take("phone", re.sub(r"\D", "", m.group()), 0.5)
    take("letter_date", *_date(lines[:_HEAD_LINES]))
    take("kind", *_kind(lines, fold(whole)))
    if "subject" not in found:
        take("subject", _first_request(lines, last_label), 0.4)
    return PetitionFields(**found, confidence=conf)
