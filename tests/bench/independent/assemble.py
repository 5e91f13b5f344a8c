"""Turns a planned corpus into documents (copies, noise) and their labels."""
from __future__ import annotations

import itertools

from ._rng import Rng, seed_of
from .build import CONFIGS, COPIES, FORM_KINDS, KINDS, Draft, Matter, Planner
from .noise import ocr
from .variants import (
    VARIANTS,
    collective_copy,
    cover_page,
    days,
    evidence_page,
    excerpt,
    original_pages,
    resent,
    retyped,
    stamped,
)

SCHEMA = 1


def _copies(m: Matter, rng: Rng) -> None:
    if m.letter is None:                       # a ward form: only copies of the paper itself
        first = m.drafts[0]
        for _ in range(rng.weighted(((0, 40), (1, 40), (2, 20)))):
            kind = rng.weighted(FORM_KINDS)
            on = days(first.received, 2, 60, rng)
            if kind == "rescan":
                pages = list(first.pages)
            elif kind == "stamped":
                pages = stamped(first.pages, rng, on, "UBND")
            elif kind == "cover":
                who = m.form_who
                pages = [cover_page(who, "đề nghị xác nhận", rng, first.received,
                                    days(first.received, 1, 10, rng),
                                    f"Phòng Tư pháp quận {who.home.district}", False)] + first.pages
            else:
                pages = first.pages + ["BẢN SAO CĂN CƯỚC CÔNG DÂN\n(đã chứng thực)\n"
                                       f"Số: {m.form_who.id_no}\nHọ và tên: {m.form_who.name}"]
            m.drafts.append(Draft(pages, kind, first.citizens, on))
        return
    L = m.letter
    received = days(L.date, 1, 12, rng)
    orig = original_pages(L)
    m.drafts.append(Draft(orig, "original", m.citizens, received))
    n = rng.weighted(COPIES)
    if m.group:
        n = min(n, 2)
    kinds = [rng.weighted(KINDS) for _ in range(n)]
    if m.pool:                                 # a collective matter: other households hand it in
        kinds = ["collective"] * (1 + rng.below(2)) + kinds[: max(0, n - 1)]
    used = set(m.citizens)
    for kind in kinds:
        on = days(received, 0, 45, rng)
        cites = m.citizens
        if kind == "rescan":
            pages = list(orig)
        elif kind == "resent":
            L2 = resent(L, rng, L.date)
            on = days(L2.date, 1, 10, rng)
            pages = original_pages(L2)
        elif kind == "retyped":
            L2 = retyped(L, rng)
            on = days(L2.date, 1, 10, rng)
            pages = original_pages(L2)
        elif kind == "cover":
            sent = days(received, 3, 25, rng)
            on = days(sent, 2, 10, rng)
            to = next((a for a in L.topic.addressees if a not in L.addressees), L.topic.addressees[-1])
            pages = [cover_page(L.writer, L.topic.subject, rng, received, sent, to,
                                L.collective)] + orig
        elif kind == "excerpt":
            pages = excerpt(L, orig, rng)
        elif kind == "added_pages":
            pages = orig + [evidence_page(L, rng) for _ in range(1 + rng.below(2))]
        elif kind == "stamped":
            pages = stamped(orig, rng, on, L.addressees[0])
        else:                                  # collective: new representative and signers
            free = [p for p in m.pool if p.cid not in used]
            group = rng.sample(free, min(len(free), rng.randint(3, 6)))
            used |= {p.cid for p in group}
            L2 = collective_copy(L, rng, group[0], group[1:])
            on = days(L2.date, 1, 8, rng)
            pages = original_pages(L2)
            cites = tuple(p.cid for p in group)
        m.drafts.append(Draft(pages, kind, cites, on))


def build(name: str) -> tuple[list[dict], dict]:
    """The documents (as JSON-ready dicts, in order of receipt) and labels of one corpus."""
    cfg = CONFIGS[name]
    planner = Planner(name, cfg)
    planner.plan()
    rng = Rng(name, cfg.seed, "copies")
    docs: list[dict] = []
    for m in planner.matters:
        _copies(m, rng.fork(m.mid))
        for k, d in enumerate(m.drafts):
            r = Rng(name, cfg.seed, m.mid, k, "ocr")
            rate = round(r.uniform(*cfg.noise), 4)
            flow = r.chance(cfg.reflow)
            doc_id = f"{name}-{seed_of(name, cfg.seed, m.mid, k):016x}"[: len(name) + 11]
            docs.append({"doc_id": doc_id, "text": ocr("\f".join(d.pages), rate, r, flow),
                         "matter_id": m.mid, "citizen_ids": list(d.citizens), "variant": d.variant,
                         "noise": rate, "reflowed": flow, "received_on": d.received.isoformat()})
    docs.sort(key=lambda x: (x["received_on"], x["doc_id"]))
    labels = _labels(name, cfg, planner, docs)
    return docs, labels


def _labels(name: str, cfg, planner: Planner, docs: list[dict]) -> dict:
    by_matter: dict[str, list[str]] = {}
    for d in docs:
        by_matter.setdefault(d["matter_id"], []).append(d["doc_id"])
    hard = []
    for g in planner.groups:
        for ma, mb in itertools.combinations(g["matters"], 2):
            for a in by_matter[ma]:
                for b in by_matter[mb]:
                    hard.append(sorted((a, b)) + [g["kind"]])
    hard.sort()
    variants = sorted({d["variant"] for d in docs})
    missing = [v for v in VARIANTS if v not in variants]
    if missing:
        raise RuntimeError(f"corpus {name} lacks variants {missing}; change its seed")
    return {
        "schema": SCHEMA, "corpus": name, "seed": cfg.seed,
        "noise": {"rate_range": list(cfg.noise), "reflow_share": cfg.reflow},
        "counts": {"matters": len(planner.matters), "documents": len(docs),
                   "hard_negative_groups": len(planner.groups), "hard_negative_pairs": len(hard),
                   "variants": {v: sum(d["variant"] == v for d in docs) for v in variants}},
        "matters": {m.mid: {"topic": m.topic, "collective": bool(m.pool),
                            "citizen_ids": list(m.citizens), "hard_negative_group": m.group or None}
                    for m in planner.matters},
        "hard_negative_groups": planner.groups,
        "hard_negative_pairs": hard,
        "first_seen": {mid: ids[0] for mid, ids in by_matter.items()},
    }
