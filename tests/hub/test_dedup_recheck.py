"""Proposals made at arrival survive the re-check after boilerplate is relearned; the index
holds its own boilerplate weights; the index imports nothing of the matcher."""
from __future__ import annotations

import gc
import random
import subprocess
import sys

import pytest

from edge.fingerprint.normalize import fold
from hub.dedup import boilerplate
from hub.dedup.match import finish_recheck
from hub.index import open_index
from hub.ingest.files import import_file
from tests.bench._noise import ocr_noise
from tests.bench.bench_dedup import labelled_corpus


def _pairs(db, decision: str) -> set[frozenset[str]]:
    return {frozenset(r) for r in db.execute("select doc_a, doc_b from duplicate_pairs where decision = ?",
                                              [decision])}


@pytest.mark.parametrize("rate", [0.03, 0.08])
def test_no_copy_proposed_at_arrival_is_lost_by_the_recheck_after_hub_import(tmp_path, rate):
    """The generator's letters (originals, rescans, re-sent, edited, cover-page copies, hard
    negatives) under OCR noise, imported as `hub import` does: once the re-check under
    relearned boilerplate ends, every copy proposed on arrival is still proposed."""
    docs = labelled_corpus(60, seed=101)
    random.Random(101).shuffle(docs)
    matter = {d.name: d.matter for d in docs}
    rng = random.Random(f"recheck:{rate}")
    db = open_index(tmp_path / "index.db")
    name_of = {}
    for d in docs:
        path = tmp_path / f"{d.name}.txt"
        path.write_text(ocr_noise(d.text, rate, rng), encoding="utf-8")
        name_of[import_file(db, path).document_id] = d.name
    at_arrival = _pairs(db, "proposed")
    copies = {p for p in at_arrival if len({matter[name_of[x]] for x in p}) == 1}
    assert copies, "some copies should have been proposed on arrival"
    finish_recheck(db)
    assert boilerplate.generation(db) >= 2, "the boilerplate should have been relearned during the import"
    lost = {tuple(sorted(name_of[x] for x in p)) for p in at_arrival - _pairs(db, "proposed")}
    assert not {p for p in lost if matter[p[0]] == matter[p[1]]}


def test_boilerplate_weights_belong_to_their_index(tmp_path):
    """Close one index and open another: the second never gets the first one's learned weights."""
    learned = {}
    common = "Kính đề nghị Ủy ban nhân dân quận xem xét giải quyết dứt điểm sự việc theo quy định. "
    for name, phrase in (("a", common), ("b", "")):
        db = open_index(tmp_path / f"{name}.db")
        with db.conn:
            for i in range(40):
                text = phrase * 3 + f"Nội dung riêng số {i} của đơn {name}: " + " ".join(
                    random.Random(f"{name}{i}").choice(["nhà", "đất", "đường", "cây", "nước", "điện"])
                    for _ in range(30))
                db.execute("insert into documents (doc_id, text, text_fold, text_sha256) values (?, ?, ?, ?)",
                           [f"{name}{i}", text, fold(text), f"{name}{i}"])
                db.execute("insert into dedup_docs (doc_id) values (?)", [f"{name}{i}"])
            boilerplate.refresh(db, seed=1)
        learned[name] = db.execute("select count(*) from dedup_boilerplate").fetchone()[0]
        assert boilerplate.current(db).codes.size == learned[name], name
        db.conn.close()
        del db
        gc.collect()  # the next connection may now take the freed one's place in memory
    assert learned["a"] != learned["b"], "the two indexes should have learned different boilerplate"


def test_the_index_imports_nothing_of_the_matcher():
    """hub.index stands alone: the matcher depends on it, never the other way round."""
    code = ("import sys, hub.index, hub.index.db, hub.index.documents, hub.index.search; "
            "print([m for m in sys.modules if m.startswith('hub.dedup')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
