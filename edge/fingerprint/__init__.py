"""Duplicate fingerprints: identical code on every kiosk and at the hub."""
from __future__ import annotations

from edge.fingerprint.minhash import FINGERPRINT_VERSION, NUM_PERM, fingerprint, jaccard
from edge.fingerprint.normalize import fingerprint_text, fold

__all__ = ["FINGERPRINT_VERSION", "NUM_PERM", "fingerprint", "fingerprint_text", "fold", "jaccard"]
