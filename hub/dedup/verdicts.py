"""Typed outcomes of matching one document against the city index."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Match:
    """A verified candidate: the other document and why it matched."""

    doc_id: str
    similarity: float  # Jaccard of the two texts' shingles, boilerplate discounted
    containment: float  # share of the shorter text's shingles found in the longer one
    status: str  # case status of the other document: received | in_progress | resolved
    resolved_at: str | None
    case_ref: str | None = None
    probability: float | None = None  # the scoring model's match probability (``model``)


@dataclass(frozen=True)
class CitizenLink:
    """Another document of the same citizen (same CCCD/CMND or phone) about another matter."""

    doc_id: str
    keys: tuple[str, ...]  # the shared identity keys, e.g. ("cccd:001085012345",)


@dataclass(frozen=True)
class NewMatter:
    """No other document is the same matter (the citizen may still have written before)."""

    doc_id: str
    same_citizen: tuple[CitizenLink, ...] = ()


@dataclass(frozen=True)
class SameMatter:
    """Same matter as earlier documents (proposed for review)."""

    doc_id: str
    matches: tuple[Match, ...]
    same_citizen: tuple[CitizenLink, ...] = ()


@dataclass(frozen=True)
class Resubmission:
    """Same matter as a case that was already resolved (proposed for review)."""

    doc_id: str
    matches: tuple[Match, ...]
    same_citizen: tuple[CitizenLink, ...] = ()

    @property
    def resolved(self) -> tuple[Match, ...]:
        """The matches whose case is resolved, latest resolution first."""
        done = [m for m in self.matches if m.status == "resolved"]
        return tuple(sorted(done, key=lambda m: m.resolved_at or "", reverse=True))


Verdict = NewMatter | SameMatter | Resubmission
