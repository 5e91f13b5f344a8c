"""A labelled corpus on disk: originals, duplicate variants and hard negatives, plus manifest.json."""
from __future__ import annotations

import json
import multiprocessing
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from samplegen import variants as v
from samplegen.exceptions import BadParameter
from samplegen.layout import FONTS, layout_pages
from samplegen.petition import Petition, make_petition
from samplegen.render import RenderedPage, render_document

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class PageEntry:
    """One page image of a document and its ground-truth text."""

    file: str  # relative to the corpus directory
    text: str
    skew_degrees: float


@dataclass(frozen=True)
class DocumentEntry:
    """One document (a stack of pages a citizen hands in) and its labels."""

    name: str
    matter_id: str  # same matter_id <=> duplicates of one another
    citizen_id: str
    variant: str  # "original" or one of variants.ALL
    duplicate_of: str | None  # name of the original when this is a duplicate
    pages: tuple[PageEntry, ...]
    negative_of: str | None = None  # hard negatives: the original they resemble
    kind: str = ""
    topic: str = ""
    font: str = ""
    citizen_name: str = ""
    cccd: str = ""
    phone: str = ""
    txt: str | None = None

    @property
    def text(self) -> str:
        """All pages' ground truth, pages separated by a form feed."""
        return "\f".join(p.text for p in self.pages)


@dataclass(frozen=True)
class Manifest:
    """The corpus index, as written to ``manifest.json``."""

    seed: int
    dpi: int
    documents: tuple[DocumentEntry, ...]
    version: int = MANIFEST_VERSION
    root: Path | None = field(default=None, compare=False)

    def by_name(self, name: str) -> DocumentEntry:
        """The document called ``name``."""
        for d in self.documents:
            if d.name == name:
                return d
        raise KeyError(name)

    def is_duplicate(self, a: str, b: str) -> bool:
        """True when documents ``a`` and ``b`` are about the same matter."""
        return a != b and self.by_name(a).matter_id == self.by_name(b).matter_id

    def duplicate_pairs(self) -> set[frozenset[str]]:
        """Every unordered pair of distinct documents that are duplicates."""
        groups: dict[str, list[str]] = {}
        for d in self.documents:
            groups.setdefault(d.matter_id, []).append(d.name)
        return {frozenset((x, y)) for names in groups.values() for i, x in enumerate(names) for y in names[i + 1:]}

    def to_json(self) -> str:
        """The manifest as JSON text."""
        data = {"version": self.version, "seed": self.seed, "dpi": self.dpi,
                "documents": [asdict(d) for d in self.documents]}
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def load(cls, path: str | Path) -> Manifest:
        """Read ``manifest.json`` (or the directory holding it)."""
        p = Path(path)
        if p.is_dir():
            p = p / MANIFEST
        data = json.loads(p.read_text(encoding="utf-8"))
        docs = tuple(DocumentEntry(**{**d, "pages": tuple(PageEntry(**pg) for pg in d["pages"])})
                     for d in data["documents"])
        return cls(seed=data["seed"], dpi=data["dpi"], documents=docs, version=data["version"], root=p.parent)


@dataclass(frozen=True)
class _Style:
    font: str
    size_pt: float
    justify: bool
    spacing: float


def _style(rng: random.Random) -> _Style:
    """How the writer's computer typed it; DejaVu runs wider than Liberation, so it gets smaller sizes."""
    font = rng.choice(sorted(FONTS))
    sizes = (11.0, 11.5, 12.0, 12.5, 13.0) if font.startswith("DejaVu") else (12.0, 12.5, 13.0, 13.0, 14.0)
    return _Style(font=font, size_pt=rng.choice(sizes), justify=rng.random() < 0.5,
                  spacing=rng.choice((1.15, 1.2, 1.25, 1.25)))


@dataclass(frozen=True)
class _Segment:
    """Pages to render for part of a document (the cover letter, or the letter itself)."""

    text: str
    style: _Style
    skews: tuple[float, ...]
    seed: int
    max_pages: int = 0  # 0 = all


def _render_doc(job: tuple[Path, str, int, float, tuple[_Segment, ...], bool]) -> tuple[PageEntry, ...]:
    """Render and save one document's pages (runs in a worker process when workers > 1)."""
    out, name, dpi, noise, segments, txt = job
    pages: list[RenderedPage] = []
    for seg in segments:
        got = render_document(seg.text, dpi=dpi, font=seg.style.font, size_pt=seg.style.size_pt,
                              justify=seg.style.justify, spacing=seg.style.spacing,
                              skew_degrees=seg.skews, noise=noise,
                              lid_edge=None, seed=seg.seed)
        pages += got[: seg.max_pages] if seg.max_pages else got
    (out / name).mkdir(parents=True, exist_ok=True)
    entries = []
    for i, page in enumerate(pages, 1):
        rel = f"{name}/page-{i:03d}.png"
        page.image.save(out / rel, format="PNG", compress_level=1)
        entries.append(PageEntry(file=rel, text=page.text, skew_degrees=page.skew_degrees))
    if txt:
        (out / "txt").mkdir(exist_ok=True)
        (out / "txt" / f"{name}.txt").write_text("\f".join(p.text for p in entries) + "\n", encoding="utf-8")
    return tuple(entries)


class _Planner:
    """Collects documents to render; rendering happens afterwards, possibly in parallel."""

    def __init__(self, out: Path, *, dpi: int, max_skew: float, noise: float, txt: bool, seed: int) -> None:
        self.out, self.dpi, self.max_skew, self.noise, self.txt = out, dpi, max_skew, noise, txt
        self.seed = seed
        self.jobs: list[tuple[Path, str, int, float, tuple[_Segment, ...], bool]] = []
        self.docs: list[DocumentEntry] = []
        self.count = 0

    def scan(self, rng: random.Random, text: str, style: _Style, max_pages: int = 0) -> _Segment:
        self.count += 1
        skews = tuple(round(rng.uniform(-self.max_skew, self.max_skew), 2) for _ in range(8))
        return _Segment(text, style, skews, self.seed * 100_000 + self.count, max_pages)

    def add(self, name: str, segments: list[_Segment], p: Petition, *, matter_id: str, citizen_id: str,
            variant: str, duplicate_of: str | None = None, negative_of: str | None = None) -> None:
        self.jobs.append((self.out, name, self.dpi, self.noise, tuple(segments), self.txt))
        self.docs.append(DocumentEntry(
            name=name, matter_id=matter_id, citizen_id=citizen_id, variant=variant, duplicate_of=duplicate_of,
            negative_of=negative_of, pages=(), kind=p.kind, topic=p.topic, font=segments[-1].style.font,
            citizen_name=p.name, cccd=p.cccd, phone=p.phone, txt=f"txt/{name}.txt" if self.txt else None))

    def run(self, workers: int) -> list[DocumentEntry]:
        if workers > 1:
            ctx = multiprocessing.get_context("spawn")  # no fork: callers may hold threads (cv2, Flask)
            with ctx.Pool(workers) as pool:
                results = pool.map(_render_doc, self.jobs, chunksize=1)
        else:
            results = [_render_doc(j) for j in self.jobs]
        return [replace(d, pages=pages) for d, pages in zip(self.docs, results, strict=True)]


def generate_corpus(out_dir: str | Path, *, matters: int = 6, seed: int = 0, dpi: int = 300,
                    max_skew: float = 8.0, noise: float = 0.5, variants: Sequence[str] = v.ALL,
                    txt: bool = False, workers: int = 1) -> Manifest:
    """Write ``matters`` originals with their variants as page images under ``out_dir`` plus manifest.json.

    ``workers`` > 1 renders documents in that many processes; the output is identical either way.
    """
    unknown = [x for x in variants if x not in v.ALL]
    if unknown:
        raise BadParameter(f"unknown variants {unknown}; choose from {list(v.ALL)}")
    if matters < 1:
        raise BadParameter(f"matters must be >= 1, got {matters}")
    if not 50 <= dpi <= 1200:
        raise BadParameter(f"dpi must be between 50 and 1200, got {dpi}")
    if not 0 <= max_skew <= 45:
        raise BadParameter(f"max_skew must be between 0 and 45 degrees, got {max_skew}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    w = _Planner(out, dpi=dpi, max_skew=max_skew, noise=noise, txt=txt, seed=seed)
    for m in range(1, matters + 1):
        rng = random.Random(f"samplegen:{seed}:{m}")  # str seeds are stable across runs and processes
        mid, cid = f"matter-{m:03d}", f"citizen-{m:03d}"
        orig = make_petition(rng)
        style = _style(rng)
        base = f"m{m:03d}"
        name = f"{base}-original"
        w.add(name, [w.scan(rng, orig.text, style)], orig, matter_id=mid, citizen_id=cid, variant="original")
        dup = {"matter_id": mid, "citizen_id": cid, "duplicate_of": name}
        for variant in v.ALL:  # fixed order and own seeds, so a subset gives the same documents
            vrng = random.Random(f"samplegen:{seed}:{m}:{variant}")
            if variant not in variants:
                continue
            vname = f"{base}-{variant}"
            if variant == "rescan":
                w.add(vname, [w.scan(vrng, orig.text, style)], orig, variant=variant, **dup)
            elif variant == "resent":
                p = v.resend(orig, vrng)
                w.add(vname, [w.scan(vrng, p.text, style)], p, variant=variant, **dup)
            elif variant == "edited":
                p, st = v.edit(orig, vrng), _style(vrng)
                w.add(vname, [w.scan(vrng, p.text, st)], p, variant=variant, **dup)
            elif variant == "cover":
                n_orig = len(layout_pages(orig.text, dpi=dpi, font=style.font, size_pt=style.size_pt,
                                          justify=style.justify, spacing=style.spacing))
                cover = w.scan(vrng, v.cover_letter(orig, vrng, pages=n_orig), _style(vrng), max_pages=1)
                w.add(vname, [cover, w.scan(vrng, orig.text, style)], orig, variant=variant, **dup)
            elif variant == "same_citizen_other_matter":
                p, st = v.other_matter(orig, vrng), _style(vrng)
                w.add(vname, [w.scan(vrng, p.text, st)], p, variant=variant, matter_id=f"{mid}-b",
                      citizen_id=cid, negative_of=name)
            elif variant == "same_template_other_person":
                p = v.other_person(orig, vrng)
                w.add(vname, [w.scan(vrng, p.text, style)], p, variant=variant, matter_id=f"{mid}-c",
                      citizen_id=f"{cid}-c", negative_of=name)
    manifest = Manifest(seed=seed, dpi=dpi, documents=tuple(w.run(workers)), root=out)
    (out / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest
