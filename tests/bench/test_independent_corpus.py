"""The independent corpus is frozen, consistently labelled and reproducible from its generator."""
from __future__ import annotations

import gzip
import hashlib
import itertools

import pytest

from tests.bench.independent import CORPORA, FROZEN, load_corpus
from tests.bench.independent.assemble import build
from tests.bench.independent.generate import jsonl_bytes
from tests.bench.independent.variants import VARIANTS


def test_frozen_files_match_their_manifest():
    manifest = (FROZEN / "FROZEN.sha256").read_text(encoding="utf-8").split("\n")
    listed = dict(reversed(line.split("  ", 1)) for line in manifest if line.strip())
    assert set(listed) == {f"{n}.{ext}" for n in CORPORA for ext in ("jsonl.gz", "labels.json")}
    for name, digest in listed.items():
        assert hashlib.sha256((FROZEN / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.parametrize("name", CORPORA)
def test_labels_are_consistent(name):
    c = load_corpus(name)
    docs = {d.doc_id: d for d in c.docs}
    assert len(docs) == len(c.docs) and 330 <= len(docs) <= 470
    assert len({d.matter_id for d in c.docs}) == c.labels["counts"]["matters"] >= 100
    pos, hard, same = c.positive_pairs(), c.hard_negative_pairs(), c.same_citizen_pairs()
    assert len(pos) > 300 and len(hard) > 50 and len(same) > 10
    for a, b in map(tuple, pos):
        assert docs[a].matter_id == docs[b].matter_id
    for a, b in map(tuple, hard | same):
        assert docs[a].matter_id != docs[b].matter_id
    assert not pos & hard
    assert {d.variant for d in c.docs} == {"original", *VARIANTS}
    assert all(0.0 < d.noise <= 0.1 for d in c.docs)
    kinds = set(c.hard_negative_kinds().values())
    assert kinds == {"same_citizen", "shared_template", "collective_same_group", "neighbour_parcel"}
    # collective copies are the same matter but handed in by other people
    for a, b in itertools.combinations([d for d in c.docs if d.variant == "collective"], 2):
        if a.matter_id == b.matter_id:
            assert not set(a.citizen_ids) & set(b.citizen_ids)
    assert [d.received_on for d in c.docs] == sorted(d.received_on for d in c.docs)


def test_generator_reproduces_the_frozen_noise3_corpus():
    docs, labels = build("noise3")
    with gzip.open(FROZEN / "noise3.jsonl.gz", "rb") as f:
        frozen = f.read()
    assert jsonl_bytes(docs) == frozen
    assert labels["counts"] == load_corpus("noise3").labels["counts"]
