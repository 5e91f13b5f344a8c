"""An independent, frozen, labelled corpus of Vietnamese petitions for judging duplicate search.

``load_corpus(name)`` reads one of ``CORPORA`` from ``frozen/``; see README.md for what the
labels mean and how the corpus was made.
"""
from __future__ import annotations

import gzip
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

CORPORA = ("noise3", "noise8", "mixed")
FROZEN = Path(__file__).resolve().parent / "frozen"


@dataclass(frozen=True)
class Doc:
    """One document as an office received it (OCR text) and what it really is."""

    doc_id: str
    text: str
    matter_id: str
    citizen_ids: tuple[str, ...]
    variant: str          # original, rescan, resent, retyped, cover, excerpt, added_pages, stamped, collective
    noise: float          # character error rate applied
    reflowed: bool        # line breaks replaced by spaces
    received_on: str      # ISO date


class Corpus:
    """The documents of one corpus and the pairs its labels define."""

    def __init__(self, name: str, docs: list[Doc], labels: dict) -> None:
        self.name, self.docs, self.labels = name, docs, labels

    def positive_pairs(self) -> set[frozenset[str]]:
        """Every pair of documents of the same matter."""
        by: dict[str, list[str]] = {}
        for d in self.docs:
            by.setdefault(d.matter_id, []).append(d.doc_id)
        return {frozenset(p) for ids in by.values() for p in itertools.combinations(ids, 2)}

    def hard_negative_pairs(self) -> set[frozenset[str]]:
        """Labelled look-alike pairs of different matters (must not be matched)."""
        return {frozenset(p[:2]) for p in self.labels["hard_negative_pairs"]}

    def hard_negative_kinds(self) -> dict[frozenset[str], str]:
        """Each hard-negative pair with the kind of its look-alike group."""
        return {frozenset(p[:2]): p[2] for p in self.labels["hard_negative_pairs"]}

    def same_citizen_pairs(self) -> set[frozenset[str]]:
        """Pairs of documents of different matters that share a citizen."""
        by: dict[str, list[Doc]] = {}
        for d in self.docs:
            for c in d.citizen_ids:
                by.setdefault(c, []).append(d)
        out: set[frozenset[str]] = set()
        for ds in by.values():
            for a, b in itertools.combinations(ds, 2):
                if a.matter_id != b.matter_id:
                    out.add(frozenset((a.doc_id, b.doc_id)))
        return out


def read_docs(path: Path) -> list[Doc]:
    """Documents from a ``.jsonl.gz`` file."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [Doc(r["doc_id"], r["text"], r["matter_id"], tuple(r["citizen_ids"]), r["variant"],
                float(r["noise"]), bool(r["reflowed"]), r["received_on"]) for r in rows]


def load_corpus(name: str, directory: Path | None = None) -> Corpus:
    """One frozen corpus by name (one of ``CORPORA``)."""
    if name not in CORPORA:
        raise ValueError(f"unknown corpus {name!r}; choose one of {', '.join(CORPORA)}")
    base = Path(directory) if directory else FROZEN
    docs = read_docs(base / f"{name}.jsonl.gz")
    labels = json.loads((base / f"{name}.labels.json").read_text(encoding="utf-8"))
    return Corpus(name, docs, labels)
