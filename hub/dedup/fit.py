"""Fitting the scoring model (``model``) from labelled pairs: generated letters, operators' decisions.

Generated pairs: the project's generator's labelled corpus (originals, rescans, re-sent,
edited and cover-page copies; one citizen's other matter; another person on the same
template) under simulated OCR noise at many levels, some texts with their line breaks lost
and some digits read as other digits, each stored and matched in a fresh index as a kiosk
document is; every candidate the matcher scores is a pair, labelled by whether the two are
one matter. An index's own pairs: those the operators decided (``duplicate_decisions``:
confirmed = one matter, rejected = not), their features computed as matching would now.

Fitting needs scikit-learn (the ``bench`` extra) and, for generated pairs, the repository's
benchmark noise model (``tests/bench/_noise.py``); scoring needs neither.
"""
from __future__ import annotations

import json
import random
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from hub.dedup.features import PairFeatures
from hub.dedup.model import LEVELS, MODEL_FILE, TERMS, encode
from hub.exceptions import HubError

# The settings pairs are generated under: noise levels spanning a clean scan to a poor one
# (character error 0.5-10%), with and without digits read as other digits and lost line
# breaks. Seeds are disjoint from those the benchmark reports on (5, 11 and below 1000).
FIT_SEEDS = tuple(range(1000, 1012))
FIT_RATES = (0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.10)
FIT_MATTERS = 40
REFLOW_SHARE = 0.3  # of the texts in a "reflow" setting, this share loses its line breaks


@dataclass(frozen=True)
class Labelled:
    """A scored candidate pair and whether it is one matter."""

    features: PairFeatures
    match: bool
    weight: float = 1.0


def generated_pairs(seeds=FIT_SEEDS, rates=FIT_RATES, matters: int = FIT_MATTERS) -> list[Labelled]:
    """Candidate pairs of the generator's corpus matched in fresh indexes, one setting per (seed, rate)."""
    try:
        from tests.bench._noise import ocr_noise
        from tests.bench.bench_dedup import labelled_corpus
    except ImportError as e:
        raise HubError("fitting from generated letters needs the repository's tests/bench (run from its root)") from e
    out: list[Labelled] = []
    for i, seed in enumerate(seeds):
        docs = labelled_corpus(matters, seed)
        random.Random(seed).shuffle(docs)
        for j, rate in enumerate(rates):
            # Each seed and rate gets one of four variants, in turn: plain, digit swaps, reflow, both.
            kind = (i + j) % 4
            rng = random.Random(f"fit:{seed}:{rate}")
            texts = {}
            for d in docs:
                t = ocr_noise(d.text, rate, rng, 0.3 if kind in (1, 3) else 0.0)
                if kind >= 2 and rng.random() < REFLOW_SHARE:
                    t = " ".join(t.split("\n"))
                texts[d.name] = t
            matter = {d.name: d.matter for d in docs}
            out += _match_all(texts, matter)
    return out


def _match_all(texts: dict[str, str], matter: dict[str, str]) -> list[Labelled]:
    from edge.fingerprint import fingerprint
    from edge.fingerprint.identity import identity_keys
    from hub.dedup.match import match_document
    from hub.index import open_index
    from hub.index.documents import NewDocument, insert_document

    pairs: list[Labelled] = []

    def observe(doc_id, other, f, sc):
        pairs.append(Labelled(f, matter[doc_id] == matter[other["doc_id"]]))

    with tempfile.TemporaryDirectory() as tmp:
        db = open_index(Path(tmp) / "fit.db")
        for name, text in texts.items():
            with db.conn:
                insert_document(db, NewDocument(doc_id=name, source="import", text=text,
                                                fingerprint=fingerprint(text), identity_keys=identity_keys(text),
                                                page_count=text.count("\f") + 1))
                match_document(db, name, matcher="rules", observer=observe)
        db.conn.close()
    return pairs


# An operator's decision counts as this many generated pairs: it is the city's own letters
# (a product decision).
DECISION_WEIGHT = 5.0


def save_pairs(pairs: list[Labelled], path: Path) -> None:
    """Keep generated pairs (JSON lines) so that a refit of other terms need not regenerate them."""
    with path.open("w", encoding="utf-8") as out:
        for p in pairs:
            out.write(json.dumps({"f": p.features.as_dict(), "match": p.match, "weight": p.weight}) + "\n")


def read_pairs(path: Path) -> list[Labelled]:
    """Pairs kept by :func:`save_pairs`."""
    with path.open(encoding="utf-8") as f:
        return [Labelled(PairFeatures(**d["f"]), d["match"], d["weight"]) for d in map(json.loads, f)]


def decided_pairs(db: sqlite_utils.Database) -> list[Labelled]:
    """The index's pairs the operators decided (latest decision per pair), featured as matching would now."""
    from hub.dedup import boilerplate
    from hub.dedup.match import _DETAIL_SQL, _load
    from hub.dedup.rules import Verifier
    from hub.index.db import rows

    latest = {}
    for a, b, decision in db.execute("select doc_a, doc_b, decision from duplicate_decisions order by id"):
        latest[(a, b)] = decision
    boiler = boilerplate.current(db)
    out = []
    for (a, b), decision in latest.items():
        if decision not in ("confirmed", "rejected"):
            continue
        other = rows(db, _DETAIL_SQL + " where doc_id = ?", [b])
        try:
            verifier = Verifier(db, _load(db, a), boiler)
        except KeyError:
            continue
        if other:
            out.append(Labelled(verifier.features(other[0]), decision == "confirmed", DECISION_WEIGHT))
    return out


def fit(pairs: list[Labelled], provenance: dict) -> dict:
    """Fit the logistic model on ``pairs``; return the weights file's content."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    trainable = [p for p in pairs if p.features.id_relation != "different"]  # the hard constraint decides those
    if len({p.match for p in trainable}) < 2:
        raise HubError("fitting needs pairs of both kinds (matches and non-matches)")
    hard = hard_levels(trainable)
    trainable = [p for p in trainable if not any(LEVELS[h](p.features) for h in hard)]
    x = np.array([encode(p.features) for p in trainable])
    y = np.array([p.match for p in trainable], dtype=int)
    w = np.array([p.weight for p in trainable])
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    clf = LogisticRegression(C=1.0, max_iter=2000).fit((x - scaler.mean_) / scale, y, sample_weight=w)
    coef = clf.coef_[0] / scale
    intercept = float(clf.intercept_[0] - (coef * scaler.mean_).sum())
    logit = x @ coef + intercept
    prob = 1.0 / (1.0 + np.exp(-logit))
    threshold = _best_threshold(prob, y, w)
    version = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    return {
        "version": version,
        "kind": "logistic regression (scikit-learn), log-odds = intercept + sum(weight * term)",
        "terms": list(TERMS),
        "weights": {k: round(float(v), 6) for k, v in zip(TERMS, coef, strict=True)},
        "intercept": round(intercept, 6),
        "threshold": round(threshold, 4),
        "threshold_provenance": "fitted: the probability maximising F1 over the fitted pairs (ties: the higher)",
        "hard": hard,
        "hard_provenance": f"fitted: levels found in at most {HARD_M:g} of the matching pairs and at least "
                           f"{HARD_U:g} of the others (m and u as fitted)",
        "provenance": {**provenance, "pairs": len(trainable), "matches": int(y.sum()),
                       "fitted_at": datetime.now(UTC).isoformat(timespec="seconds")},
    }


# A level is a hard constraint when at most this share of the matching pairs show it (a
# product decision: one true copy in 2,000 may be lost to it) ...
HARD_M = 0.0005
# ... and at least this share of the non-matching pairs do (it must tell something).
HARD_U = 0.01


def hard_levels(pairs: list[Labelled]) -> dict[str, dict[str, float]]:
    """The levels of ``model.LEVELS`` with m≈0 in ``pairs``: each with its m and u."""
    matches = [p for p in pairs if p.match]
    others = [p for p in pairs if not p.match]
    out = {}
    for name, level in LEVELS.items():
        m = sum(p.weight for p in matches if level(p.features)) / max(1.0, sum(p.weight for p in matches))
        u = sum(p.weight for p in others if level(p.features)) / max(1.0, sum(p.weight for p in others))
        if m <= HARD_M and u >= HARD_U:
            out[name] = {"m": round(m, 6), "u": round(u, 6)}
    return out


def _best_threshold(prob, y, w) -> float:
    import numpy as np

    best, best_f1 = 0.5, -1.0
    for t in np.unique(np.round(prob, 3)):
        pred = prob >= t
        tp = float((w * (pred & (y == 1))).sum())
        fp = float((w * (pred & (y == 0))).sum())
        fn = float((w * (~pred & (y == 1))).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 >= best_f1:
            best, best_f1 = float(t), f1
    return best


def write(model: dict, path: Path = MODEL_FILE) -> Path:
    """Write the weights file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
