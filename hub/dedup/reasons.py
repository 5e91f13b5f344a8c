"""Why a pair was proposed, in Vietnamese: the stored explanation of a scored pair, read back.

Each proposal stores (``duplicate_pairs.reasons``, JSON) its features, each model term's
contribution to the log-odds, and the numbers of the matter the two letters share or give
otherwise. :func:`explain` turns that into short phrases the panel shows, strongest first:
"cùng số CCCD", "cùng số quyết định 1234/QĐ-UBND", "ngày khác nhau", "văn bản giống 92%".
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import sqlite_utils

from edge.fingerprint.normalize import strip_diacritics
from hub.dedup.evidence import specific_numbers
from hub.dedup.features import DIFFERENT, NEAR, SAME, PairFeatures, other_number
from hub.dedup.model import Score

MAX_NUMBERS = 3  # shared or differing numbers named in an explanation (a product decision: a short line)


@dataclass(frozen=True)
class Reason:
    """One phrase of an explanation: ``weight`` > 0 speaks for the same matter, < 0 against."""

    code: str
    text: str
    weight: float


# What a number is, by the words before it (diacritics stripped, lower case).
_KINDS = (("quyet dinh", "số quyết định"), ("thong bao", "số thông báo"), ("thua", "thửa đất số"),
          ("to ban do", "tờ bản đồ số"), ("so nha", "số nhà"), ("hop dong", "số hợp đồng"),
          ("cong van", "số công văn"), ("bien ban", "số biên bản"))


def _label(n: str, text: str) -> str:
    """A shared number as the letter writes it, with what it numbers: "số quyết định 1234/QĐ-UBND"."""
    if n.count("/") == 2:
        return f"ngày {n}"
    first = n.split("/")[0]
    m = re.search(rf"(?<![0-9]){re.escape(first)}(?:/[0-9A-Za-zĐđ\-]+)?", text)
    if not m:
        return f"số {n}"
    before = strip_diacritics(text[max(0, m.start() - 24):m.start()]).casefold()
    kind = next((k for cue, k in _KINDS if cue in before), "số")
    return f"{kind} {m.group(0)}"


def stored_reasons(f: PairFeatures, sc: Score, text_a: str, text_b: str) -> str:
    """The explanation stored with a proposal (JSON): features, contributions, numbers shared and not."""
    na, nb = specific_numbers(text_a or "", particulars=False), specific_numbers(text_b or "", particulars=False)
    shared = sorted(na & nb, key=lambda x: (-len(x), x))[:MAX_NUMBERS]
    dates_a, dates_b = {x for x in na if x.count("/") == 2}, {x for x in nb if x.count("/") == 2}
    return json.dumps({
        "version": sc.version, "probability": round(sc.probability, 4), "features": f.as_dict(),
        "contributions": {k: round(v, 3) for k, v in sc.contributions.items() if abs(v) != float("inf")},
        "shared": [_label(x, text_a) for x in shared],
        "dates_differ": bool(dates_a and dates_b and not dates_a & dates_b),
    }, ensure_ascii=False)


def explain(pair_row: dict) -> list[Reason]:
    """The reasons of a proposed pair (a ``duplicate_pairs`` row with its ``reasons``), strongest first."""
    raw = pair_row.get("reasons")
    if not raw:
        return [Reason("text", f"văn bản giống {float(pair_row.get('containment') or 0):.0%}", 0.0)]
    data = json.loads(raw)
    f, c = data["features"], data["contributions"]
    out: list[Reason] = []

    def add(code: str, text: str, *terms: str) -> None:
        out.append(Reason(code, text, sum(c.get(t, 0.0) for t in terms)))

    share = max(f["passages_matter"], f["containment"])
    add("text", f"văn bản giống {share:.0%}", "jaccard", "containment", "jaccard_raw", "containment_raw",
        "passages_matter", "jaccard_x_noise", "containment_x_noise")
    relation = {SAME: "cùng số CCCD", NEAR: "số CCCD gần giống (có thể đọc sai một chữ số)",
                DIFFERENT: "số CCCD khác nhau"}
    if f["id_relation"] in relation:
        add("id", relation[f["id_relation"]], "id_same", "id_near")
    if f["phone_relation"] == SAME:
        add("phone", "cùng số điện thoại", "phone_same")
    elif f["phone_relation"] == DIFFERENT:
        add("phone", "số điện thoại khác nhau", "phone_different")
    names = {SAME: "cùng họ tên người viết", NEAR: "họ tên người viết gần giống", DIFFERENT: "họ tên người viết khác nhau"}
    if f["name_relation"] in names:
        add("name", names[f["name_relation"]], "name_same", "name_near", "name_different")
    for label in data.get("shared", []):
        add("number", f"cùng {label}", "numbers_share")
    if data.get("dates_differ"):
        add("dates", "ngày khác nhau", "numbers_all_differ")
    elif f["numbers_all_differ"]:
        add("numbers", "các số và ngày của vụ việc đều khác nhau", "numbers_all_differ")
    if other_number(f["sentence_conflicts"], f["slips"], f["agreeing"]):
        add("sentence", "cùng một câu nhưng ghi số khác", "sentence_conflicts", "other_number", "slip")
    if f["reworded"]:
        add("reworded", "có đoạn viết bằng từ ngữ khác", "reworded")
    if f["noise_max"] >= NOISY_WORDS:
        add("noise", f"bản đọc nhiều lỗi nhận dạng ({f['noise_max']:.0%} số từ sai chính tả)", "noise",
            "noise_gap", "confidence_noise")
    if f["reflowed"]:
        add("reflowed", "văn bản mất xuống dòng", "reflowed")
    return sorted(out, key=lambda r: -abs(r.weight))


# A letter with this share of its words misspelled is named as noisy in an explanation (a
# product decision: it names, it decides nothing): about 4% character error
# (``noise.word_noise`` reads about 1.3 times the character error rate).
NOISY_WORDS = 0.05


def queue(db: sqlite_utils.Database, *, limit: int = 100, offset: int = 0) -> list[dict]:
    """Undecided proposals, most probable first (pairs scored before the model last), with their reasons."""
    cur = db.conn.execute("select doc_a, doc_b, similarity, containment, found_at, probability, model_version, "
                          "reasons from duplicate_pairs where decision = 'proposed' "
                          "order by probability is null, probability desc, found_at limit ? offset ?", [limit, offset])
    names = [d[0] for d in cur.description]
    out = []
    for r in cur.fetchall():
        row = dict(zip(names, r, strict=True))
        row["explanation"] = explain(row)
        out.append(row)
    return out
