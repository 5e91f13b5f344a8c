"""Duplicate and re-submission detection over the city index."""
from __future__ import annotations

from hub.dedup import schema
from hub.dedup.match import clusters, match_document
from hub.dedup.reasons import Reason, explain, queue
from hub.dedup.verdicts import CitizenLink, Match, NewMatter, Resubmission, SameMatter, Verdict

schema.install()

__all__ = ["CitizenLink", "Match", "NewMatter", "Reason", "Resubmission", "SameMatter", "Verdict", "clusters",
           "explain", "match_document", "queue"]
