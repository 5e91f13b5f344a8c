"""Duplicate and re-submission detection over the city index."""
from __future__ import annotations

from hub.dedup.match import (
    Match,
    NewMatter,
    Resubmission,
    SameMatter,
    Verdict,
    clusters,
    match_document,
)

__all__ = ["Match", "NewMatter", "Resubmission", "SameMatter", "Verdict", "clusters", "match_document"]
