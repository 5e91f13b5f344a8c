"""Plans one corpus (matters, their copies, the look-alike groups) and makes its documents."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from . import forms, topics_care, topics_group, topics_land, topics_life
from ._rng import Rng
from .letter import (
    Letter,
    Topic,
    Writer,
    closing_sentences,
    intro_sentence,
    legal_sentence,
    new_style,
)
from .people import Person, new_person, new_place
from .variants import (
    days,
)
from .vocab import DISTRICTS, URBAN

TopicFn = Callable[..., Topic]
SINGLE: dict[str, TopicFn] = {
    "land_boundary": topics_land.land_boundary, "compensation": topics_land.compensation,
    "construction": topics_land.construction, "landcert": topics_land.landcert,
    "noise": topics_life.noise, "bhxh": topics_life.bhxh, "official": topics_life.official,
    "penalty": topics_life.penalty, "school": topics_care.school,
    "hospital": topics_care.hospital, "neighbour": topics_care.neighbour,
    "welfare": topics_care.welfare,
}
GROUP: dict[str, TopicFn] = {
    "apartment": topics_group.apartment, "pollution": topics_group.pollution,
    "group_compensation": topics_group.group_compensation, "flooding": topics_group.flooding,
}
# How many copies besides the original a matter has (a stated guess at a reception office's mix:
# most letters come back once or twice, a few many times).
COPIES = ((0, 12), (1, 18), (2, 27), (3, 25), (4, 18))
KINDS = (("rescan", 14), ("resent", 17), ("retyped", 17), ("cover", 13), ("excerpt", 10),
         ("added_pages", 12), ("stamped", 17))
FORM_KINDS = (("rescan", 3), ("stamped", 3), ("cover", 2), ("added_pages", 2))


@dataclass(frozen=True)
class Config:
    seed: int
    noise: tuple[float, float]      # per-letter character error rate, uniform in [lo, hi]
    reflow: float                   # share of documents with their line breaks lost
    matters: int = 120


CONFIGS = {
    "noise3": Config(seed=30301, noise=(0.02, 0.04), reflow=0.0),
    "noise8": Config(seed=80802, noise=(0.06, 0.10), reflow=0.0),
    "mixed": Config(seed=50503, noise=(0.005, 0.10), reflow=0.30),
}


@dataclass
class Draft:
    pages: list[str]
    variant: str
    citizens: tuple[str, ...]
    received: dt.date


@dataclass
class Matter:
    mid: str
    topic: str
    citizens: tuple[str, ...]
    letter: Letter | None = None
    form: str = ""
    form_who: Person | None = None
    pool: list[Person] = field(default_factory=list)     # households of a collective matter
    group: str = ""                                      # hard-negative group id
    drafts: list[Draft] = field(default_factory=list)


class Planner:
    """Makes citizens, matters and their copies for one corpus."""

    def __init__(self, name: str, cfg: Config) -> None:
        self.name, self.cfg = name, cfg
        self.rng = Rng(name, cfg.seed)
        self.n_people = 0
        self.matters: list[Matter] = []
        self.groups: list[dict] = []

    # -- people and letters -------------------------------------------------------------
    def person(self, rng: Rng, **kw: object) -> Person:
        self.n_people += 1
        return new_person(rng, f"C{self.n_people:04d}", **kw)

    def when(self, rng: Rng) -> dt.date:
        return dt.date(2023, 3, 1) + dt.timedelta(days=rng.randint(0, 760))

    def letter(self, fn: TopicFn, who: Person, when: dt.date, style_seed: object,
               value: Rng, keep: dict | None = None, signers: list[Person] | None = None,
               group_name: str = "") -> Letter:
        srng = Rng(style_seed)
        w = Writer(srng, value)
        topic = fn(w, who, when, keep)
        style = new_style(srng)
        we = bool(signers)
        n_addr = 1 + srng.below(3) if len(topic.addressees) > 1 else 1
        return Letter(topic=topic, writer=who, addressees=topic.addressees[:n_addr], date=when,
                      style=style, intro=intro_sentence(w, topic.kind, we),
                      closing=closing_sentences(w, we)[: 2 + srng.below(2)],
                      legal=legal_sentence(w, topic.kind) if srng.chance(0.4) else None,
                      signers=list(signers or []), group_name=group_name,
                      extra_para=topic.spare[:1] if srng.chance(0.3) else [])

    def matter(self, topic: str, citizens: tuple[str, ...], **kw: object) -> Matter:
        m = Matter(f"M{len(self.matters) + 1:03d}", topic, citizens, **kw)
        self.matters.append(m)
        return m

    def household_pool(self, rng: Rng, n: int) -> tuple[list[Person], str]:
        d = rng.choice(URBAN)
        place = new_place(rng, d)
        pool = [self.person(rng, home=replace(place, house=f"Số {rng.randint(1, 160)}"))
                for _ in range(n)]
        group = rng.choice((f"tổ dân phố số {rng.randint(1, 30)}, {place.street}",
                            f"ngõ {rng.randint(2, 400)} {place.street}",
                            f"khu tập thể {rng.choice(('A', 'B', 'C', 'E'))}{rng.randint(1, 9)}"))
        return pool, f"{group}, phường {place.ward}, quận {d}"

    # -- matters ------------------------------------------------------------------------
    def single(self, rng: Rng, topic: str | None = None, who: Person | None = None,
               keep: dict | None = None, style_seed: object = None, when: dt.date | None = None
               ) -> Matter:
        topic = topic or rng.choice(tuple(SINGLE))
        who = who or self.person(rng)
        letter = self.letter(SINGLE[topic], who, when or self.when(rng),
                             style_seed if style_seed is not None else rng.random(), rng.fork("v"),
                             keep)
        return self.matter(topic, (who.cid,), letter=letter)

    def collective(self, rng: Rng, topic: str, pool: list[Person], group_name: str,
                   members: list[Person], style_seed: object) -> Matter:
        letter = self.letter(GROUP[topic], members[0], self.when(rng), style_seed, rng.fork("v"),
                             signers=members[1:], group_name=group_name)
        return self.matter(topic, tuple(p.cid for p in members), letter=letter, pool=pool)

    def plan(self) -> None:
        rng = self.rng
        specs = (["same_citizen"] * 4 + ["shared_template"] * 3 + ["collective_same_group"] * 2
                 + ["neighbour_parcel"] * 3)
        for g, kind in enumerate(specs, 1):
            getattr(self, "_hn_" + kind)(rng.fork("hn", g), f"G{g:02d}")
        for i in range(8):
            r = rng.fork("coll", i)
            pool, gname = self.household_pool(r, 18)
            members = r.sample(pool, r.randint(4, 8))
            self.collective(r, rng.choice(tuple(GROUP)), pool, gname, members, r.random())
        i = 0
        while len(self.matters) < self.cfg.matters:
            self.single(rng.fork("single", i))
            i += 1

    def _group(self, gid: str, kind: str, ms: list[Matter]) -> None:
        for m in ms:
            m.group = gid
        self.groups.append({"group_id": gid, "kind": kind, "matters": [m.mid for m in ms]})

    def _hn_same_citizen(self, rng: Rng, gid: str) -> None:
        topic = rng.choice(("compensation", "land_boundary", "landcert", "penalty", "bhxh",
                            "construction", "welfare", "official"))
        who = self.person(rng)
        a = self.single(rng.fork("a"), topic, who)
        keep = {k: a.letter.topic.params[k] for k in ("project", "co", "hosp") if k in a.letter.topic.params}
        style = rng.random() if rng.chance(0.5) else None
        b = self.single(rng.fork("b"), topic, who, keep=keep, style_seed=style)
        self._group(gid, "same_citizen", [a, b])

    def _hn_shared_template(self, rng: Rng, gid: str) -> None:
        d = rng.choice(tuple(DISTRICTS))
        ward = rng.choice(DISTRICTS[d][1])
        leader, dots = forms.team_leader(rng), rng.randint(3, 12)
        ms = []
        for k, purpose in enumerate(rng.sample(range(len(forms.PURPOSES)), 3)):
            r = rng.fork("form", k)
            who = self.person(r, home=new_place(r, d, ward))
            when = self.when(r)
            text = forms.form_text(who, purpose, r, when, leader, dots)
            m = self.matter("ward_form", (who.cid,), form=text, form_who=who)
            m.drafts.append(Draft([text], "original", (who.cid,), days(when, 0, 3, r)))
            ms.append(m)
        self._group(gid, "shared_template", ms)

    def _hn_collective_same_group(self, rng: Rng, gid: str) -> None:
        pool, gname = self.household_pool(rng, 16)
        style = rng.random()
        rep = pool[0]
        t1, t2 = rng.sample(tuple(GROUP), 2)
        core = rng.sample(pool[1:], 4)
        ms = []
        for k, t in enumerate((t1, t2)):
            r = rng.fork("cg", k)
            others = [p for p in pool[1:] if p not in core]
            members = [rep] + core + r.sample(others, r.randint(1, 3))
            ms.append(self.collective(r, t, pool, gname, members, style))
        self._group(gid, "collective_same_group", ms)

    def _hn_neighbour_parcel(self, rng: Rng, gid: str) -> None:
        topic = rng.choice(("compensation", "landcert"))
        style = rng.random()
        home = new_place(rng, rng.choice(tuple(DISTRICTS)))
        n = rng.randint(2, 3)
        ms: list[Matter] = []
        for k in range(n):
            r = rng.fork("np", k)
            who = self.person(r, home=replace(home, house=f"Số {10 + 2 * k + rng.randint(0, 1)}"
                                              if home.house else ""))
            keep = None
            if ms:
                p0 = ms[0].letter.topic.params
                keep = {key: p0[key] for key in ("project", "d_th", "d_qd", "unitp", "year", "orig",
                                                 "sub", "sheet", "times") if key in p0}
                keep["parcel"] = p0["parcel"] + k
            m = self.single(r, topic, who, keep=keep, style_seed=style,
                            when=ms[0].letter.date + dt.timedelta(days=r.randint(0, 20)) if ms else None)
            if ms:
                m.letter.topic.kind = ms[0].letter.topic.kind
            ms.append(m)
        self._group(gid, "neighbour_parcel", ms)
