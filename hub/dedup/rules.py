"""The previous decision, a chain of "reject if ..." rules over the texts (``matcher="rules"``).

Kept runnable to compare with the fitted model (``model``) in the benchmark, and for the
re-check's contradictions (``EVIDENCE``). :class:`Verifier` also builds each letter's
:class:`features.Side` from what it derives from the text, kept for the most recent
documents (``recent``), for the model's features.
"""
from __future__ import annotations

import numpy as np
import sqlite_utils

from edge.fingerprint.normalize import fold
from hub.dedup import boilerplate, recent
from hub.dedup.evidence import (
    digit_runs,
    garbled_dates,
    horizon,
    id_keys,
    identities_conflict,
    identity_in_text,
    numbers_all_differ,
    numbers_disagree,
    past_horizon,
    shares_identity,
    specific_numbers,
)
from hub.dedup.features import PairFeatures, Side, features, petitioner_name, reflowed
from hub.dedup.noise import confidence_noise, word_noise
from hub.dedup.verdicts import Match
from hub.dedup.verify import MIN_AGREEING, Shingled, compare, compare_passages, passages

# The rule chain's bounds (``Verifier.check``, the decision with ``matcher="rules"``): set by
# hand on the project's generator's corpus, not fitted; the fitted model (``model``, its
# weights refitted by ``python -m hub dedup fit``) scores and explains every proposal, and
# decides with ``matcher="model"``. Shingle overlap, boilerplate discounted (boilerplate.py):
MIN_JACCARD = 0.22
MIN_CONTAINMENT = 0.40
# For two letters of one citizen, the share of the lighter letter's own passages (particulars
# lines left out, boilerplate discounted) found in the other with OCR errors allowed, which
# does not fall with noise (``verify.compare_passages``): hand-set, as above.
SAME_CITIZEN_PASSAGES = 0.75
# ... or this share, when the letter was re-typed with a paragraph reworded: no number
# differs, at least ``verify.MIN_AGREEING`` of the letter's own numbers read alike, and no
# sentence found gives other words (a name, a place, a task) in a stretch. Hand-set.
REWORDED_PASSAGES = 0.60
# A sentence found in the other letter with a stretch in other words ("quán bia Thành Đạt"
# for "quán karaoke Hải Đăng"; "đăng ký khai sinh" for "xác nhận nguồn gốc đất") makes one
# template another matter of one citizen: one such stretch is enough (a product decision of
# the rule chain; the model weighs the count, ``features.PairFeatures.reworded``).
REWORDED_OTHER = 1
# Shingle overlap this low or lower is another text whatever the noise; between this and the
# bounds above, noise may have hidden a copy of one citizen's letter, and its passages decide
# (hand-set bounds of the rule chain).
NOISY_CONTAINMENT = 0.20
NOISY_OTHER = 0.30  # the same, for letters not known to be one citizen's
MIN_SHINGLES = 40  # too little text to judge (a nearly empty page)


# What verification derives from a text (and its identity keys), by name.
_DERIVED = {
    "passages": lambda text, keys: passages(text),
    "runs": lambda text, keys: digit_runs(text),
    "numbers": lambda text, keys: specific_numbers(text, keys=keys),
    "matter numbers": lambda text, keys: specific_numbers(text, particulars=False, keys=keys),
    "garbled dates": lambda text, keys: garbled_dates(text),
    "name": lambda text, keys: petitioner_name(text),
    "noise": lambda text, keys: word_noise(text),
    "reflowed": lambda text, keys: reflowed(text),
}


# Why a candidate failed, when the letters contradict each other whatever the boilerplate:
# other ID-card numbers, or the numbers and dates of their matters differing. Only these
# withdraw a proposal when it is re-checked: the text's share in common moves as the
# boilerplate is relearned, and so does a sentence's number conflict ("sentence numbers"),
# which the letter's own numbers (not template ones) may excuse as a misread digit.
EVIDENCE = frozenset({"identity", "numbers"})


class Verifier:
    """Verifies candidates against one stored document. What is derived from a text (shingles,
    passages, numbers, digit runs) is computed on first need and kept for the most recent
    documents (``recent``): a document is verified again as later ones arrive and when
    proposals are re-checked."""

    def __init__(self, db: sqlite_utils.Database, doc: dict, boiler: boilerplate.Weights) -> None:
        self.db, self.doc, self.boiler = db, doc, boiler
        codes = recent.shingles(doc["text_sha256"], lambda: doc["text_fold"])
        self.own = Shingled(codes, boiler.of(codes))
        self._texts: dict[str, tuple[str, str]] = {}
        self._own_side: Side | None = None

    def text_of(self, other_id: str) -> tuple[str, str]:
        """A candidate's text and search form, read once."""
        if other_id not in self._texts:
            row = self.db.execute("select text, text_fold from documents where doc_id = ?", [other_id]).fetchone()
            text = (row[0] if row else "") or ""
            self._texts[other_id] = (text, row[1] if row and row[1] is not None else fold(text))
        return self._texts[other_id]

    def shingled(self, other: dict) -> Shingled:
        """A candidate's shingles weighted by the current boilerplate, kept with the other derived values."""
        def make():
            codes = recent.shingles(other["text_sha256"], lambda: self.text_of(other["doc_id"])[1])
            return self.boiler, Shingled(codes, self.boiler.of(codes).astype(np.float32))
        boiler, shingled = recent.weighted.get((other["text_sha256"], other["doc_id"]), make)
        if boiler is not self.boiler:  # learned anew since
            boiler, shingled = make()
            recent.weighted.put((other["text_sha256"], other["doc_id"]), (boiler, shingled))
        return shingled

    def derived(self, d: dict, kind: str):
        """``kind`` (a key of ``_DERIVED``) of the text of ``d`` (this document or a candidate)."""
        def make():
            text = (d["text"] if d is self.doc else self.text_of(d["doc_id"])[0]) or ""
            return _DERIVED[kind](text, id_keys(d["identity_keys"]))
        return recent.derived.get((kind, d["text_sha256"], d["doc_id"]), make)

    def check(self, other: dict) -> Match | None:
        """A Match when ``other`` is the same matter as this document, else None (with the
        reason in ``self.reason``: one of ``EVIDENCE`` when the letters contradict each other)."""
        self.reason = ""
        doc, boiler = self.doc, self.boiler
        if other["text_sha256"] == doc["text_sha256"]:
            return Match(other["doc_id"], 1.0, 1.0, other["status"], other["resolved_at"], other["case_ref"])
        # Same template, other citizen: another matter, however much text the letters share.
        if identities_conflict(doc["identity_keys"], other["identity_keys"]):
            return self._no("identity")
        s = compare(self.own, self.shingled(other))
        weak = s.jaccard < MIN_JACCARD and s.containment < MIN_CONTAINMENT
        if weak and s.containment < NOISY_CONTAINMENT:
            return self._no("text")
        # A date past the year after the letters were received is a year OCR misread.
        last_year = horizon(doc.get("received_at"), other.get("received_at"))
        same_citizen = (shares_identity(doc["identity_keys"], other["identity_keys"])
                        or identity_in_text(doc["identity_keys"], self.derived(other, "runs"))
                        or identity_in_text(other["identity_keys"], self.derived(doc, "runs")))
        if same_citizen:
            # Known to be one citizen: the particulars lines match whatever the matter, so
            # judge the rest of the letter on its own, passage by passage (which also finds
            # a copy whose shingles OCR noise has hidden).
            found = compare_passages(self.derived(doc, "passages"), self.derived(other, "passages"), boiler,
                                     matter_only=True, need=REWORDED_PASSAGES, horizon=last_year)
            # The same sentences about another visit, decision or parcel, or about another
            # venue, neighbour or procedure: another matter.
            if found.other_matter:
                return self._no("sentence numbers")
            if found.reworded >= REWORDED_OTHER:
                return self._no("reworded")
            if found.containment < SAME_CITIZEN_PASSAGES and not (
                    found.containment >= REWORDED_PASSAGES and not found.conflicts and not found.reworded
                    and found.agreeing >= MIN_AGREEING):
                return self._no("text")
            mine, my_garbled = past_horizon(self.derived(doc, "matter numbers"), self.derived(doc, "garbled dates"),
                                            last_year)
            theirs, their_garbled = past_horizon(self.derived(other, "matter numbers"),
                                                 self.derived(other, "garbled dates"), last_year)
            if numbers_all_differ(mine, theirs, my_garbled, their_garbled):
                return self._no("numbers")
        # Letters not known to be one citizen's: too little in common, unless noise hid a copy
        # (a letter whose ID and phone numbers were all misread) ...
        elif weak and (s.containment < NOISY_OTHER or compare_passages(
                self.derived(doc, "passages"), self.derived(other, "passages"), boiler,
                need=SAME_CITIZEN_PASSAGES).containment < SAME_CITIZEN_PASSAGES):
            return self._no("text")
        # ... or other decision, parcel, house number or dates, or another person's birth date
        # and house number (the ID numbers were not read): another matter of the same kind ...
        elif numbers_disagree(past_horizon(self.derived(doc, "numbers"), (), last_year)[0],
                              past_horizon(self.derived(other, "numbers"), (), last_year)[0]):
            return self._no("numbers")
        # ... or, when the particulars agree (one citizen whose numbers were all misread), the
        # same sentence giving another number.
        elif compare_passages(self.derived(doc, "passages"), self.derived(other, "passages"), boiler,
                              matter_only=True, horizon=last_year).other_matter:
            return self._no("sentence numbers")
        return Match(other["doc_id"], round(s.jaccard, 3), round(s.containment, 3), other["status"],
                     other["resolved_at"], other["case_ref"])


    def _no(self, reason: str) -> None:
        self.reason = reason

    def side(self, d: dict) -> Side:
        """This document or a candidate as the scoring model's features see it."""
        def confidence():
            rows = self.db.execute("select ocr_confidence from pages where doc_id = ?", [d["doc_id"]]).fetchall()
            return confidence_noise([r[0] for r in rows])
        shingled = self.own if d is self.doc else self.shingled(d)
        return Side(d["doc_id"], shingled, self.derived(d, "passages"), id_keys(d["identity_keys"]),
                    self.derived(d, "runs"), frozenset(self.derived(d, "numbers")),
                    frozenset(self.derived(d, "matter numbers")), self.derived(d, "garbled dates"),
                    self.derived(d, "name"), self.derived(d, "noise"),
                    recent.derived.get(("confidence", d["text_sha256"], d["doc_id"]), confidence),
                    self.derived(d, "reflowed"), d.get("received_at"))

    def features(self, other: dict) -> PairFeatures:
        """The comparison features of this document and a candidate."""
        if self._own_side is None:  # built once: this document is compared with every candidate
            self._own_side = self.side(self.doc)
        return features(self._own_side, self.side(other), self.boiler)


