"""Field accuracy of ``edge.fields.extract``, per field, on generated and hand-written letters.

    python -m tests.bench.bench_fields [--letters 200] [--seed 0]

Generated letters come from ``samplegen.petition.make_petition``, whose parts are the ground
truth (name, CCCD/CMND, phone, address, kind, recipients, date, V/v subject), read through
the simulated OCR noise of ``tests/bench/_noise.py`` at 0%, 3% and 8% character error rate.
The hand-written letters (``tests/edge/data/letters/``, other layouts: one-sentence
particulars, no accents, e-mail style, wrapped lines, misspelt labels) are read as typed.

A field is right when the number, kind or date read equals the truth exactly, and for text
fields (name, address, addressee, subject) when its folded form is at least 90% similar
(rapidfuzz ratio) to the truth: noise changes the letter's own text, which no reader can
undo. A field the letter does not have is right when nothing is read. "sure" is the share
of fields read with confidence ≥ 0.8 that are right (what the screen shows unflagged).
"""
from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from rapidfuzz import fuzz

from edge.fields import FIELD_NAMES, PetitionFields, extract
from edge.fingerprint.normalize import fold
from samplegen.petition import make_petition
from samplegen.topics import KIND_WORD
from tests.bench._noise import ocr_noise

LETTERS = Path(__file__).resolve().parents[1] / "edge" / "data" / "letters"
TEXT_FIELDS = ("name", "address", "addressee", "subject")
SURE = 0.8


def right(field: str, got: str, want: str) -> bool:
    """Is ``got`` a correct reading of ``want`` for this field (see the module docstring)?"""
    if not want:
        return not got
    if field in TEXT_FIELDS:
        return fuzz.ratio(fold(got), fold(want)) >= 90
    return got == want


def generated(n: int, seed: int) -> list[tuple[str, dict[str, str]]]:
    """``n`` generated letters with their true fields."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        p = make_petition(rng)
        truth = {"name": p.name, "id_number": p.cccd, "phone": p.phone, "address": p.address,
                 "kind": KIND_WORD[p.kind], "addressee": "; ".join(p.recipients),
                 "letter_date": p.day.isoformat(),
                 # No V/v line: the subject is the request's first sentence.
                 "subject": p.subject or re.split(r"(?<=[.!?])\s", p.body[0], maxsplit=1)[0]}
        out.append((p.text, truth))
    return out


def hand_written() -> list[tuple[str, dict[str, str]]]:
    """The letters under ``tests/edge/data/letters`` with their expected fields."""
    expected = json.loads((LETTERS / "expected.json").read_text(encoding="utf-8"))
    return [((LETTERS / name).read_text(encoding="utf-8"), want) for name, want in sorted(expected.items())]


def score(letters: list[tuple[str, dict[str, str]]]) -> dict[str, tuple[float, float]]:
    """Per field: (share right, share right among the sure readings)."""
    hits = dict.fromkeys(FIELD_NAMES, 0)
    sure = dict.fromkeys(FIELD_NAMES, 0)
    sure_hits = dict.fromkeys(FIELD_NAMES, 0)
    for text, truth in letters:
        got: PetitionFields = extract(text)
        for f in FIELD_NAMES:
            ok = right(f, getattr(got, f), truth.get(f, ""))
            hits[f] += ok
            if got.confidence.get(f, 0.0) >= SURE:
                sure[f] += 1
                sure_hits[f] += ok
    n = max(1, len(letters))
    return {f: (hits[f] / n, sure_hits[f] / sure[f] if sure[f] else 1.0) for f in FIELD_NAMES}


def main(argv: list[str] | None = None) -> None:
    """Print the accuracy table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--letters", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    base = generated(args.letters, args.seed)
    rows = []
    for rate in (0.0, 0.03, 0.08):
        rng = random.Random(args.seed + int(rate * 1000))
        noisy = [(ocr_noise(t, rate, rng) if rate else t, truth) for t, truth in base]
        rows.append((f"generated, {rate:.0%} noise (n={len(noisy)})", score(noisy)))
    mine = hand_written()
    rows.append((f"hand-written layouts (n={len(mine)})", score(mine)))
    width = max(len(r[0]) for r in rows)
    print(f"{'letters':<{width}}  " + "  ".join(f"{f:>11}" for f in FIELD_NAMES))
    for label, table in rows:
        print(f"{label:<{width}}  " + "  ".join(f"{table[f][0]:>6.0%} {table[f][1]:>4.0%}" for f in FIELD_NAMES))
    print(f"(each cell: share right, then share right among readings with confidence >= {SURE})")


if __name__ == "__main__":
    main()
