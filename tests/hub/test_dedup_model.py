"""The duplicate scoring model: noise read from a letter's own words, one features function, a
fitted weights file with its provenance, and proposals that store and explain their probability."""
from __future__ import annotations

import json
import random

from hub.dedup import explain, match_document, queue
from hub.dedup.model import MODEL_FILE, TERMS, load
from hub.dedup.noise import word_noise
from hub.dedup.syllables import is_syllable
from hub.index import open_index
from hub.index.documents import NewDocument, insert_document
from tests.bench._noise import ocr_noise
from tests.bench.bench_dedup import labelled_corpus


def test_vietnamese_spelling_allows_real_syllables_and_not_ocr_misreadings():
    for word in "Kính gửi Ủy ban nhân dân quận quyết định của cuộc giếng nghiêng yêu khuya thuở ngoằn".split():
        assert is_syllable(word), word
    for word in ("tàt", "cuân", "quưa", "ghá", "tyên", "nhânh", "quốch"):
        assert not is_syllable(word), word


def test_noise_read_from_a_letters_own_words_rises_with_ocr_error():
    docs = labelled_corpus(6, seed=2024)
    rng = random.Random(1)
    by_rate = {rate: sum(word_noise(ocr_noise(d.text, rate, rng)) for d in docs) / len(docs)
               for rate in (0.0, 0.03, 0.08)}
    assert by_rate[0.0] < 0.01 < by_rate[0.03] < by_rate[0.08]


def test_the_weights_file_says_how_it_was_fitted():
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(TERMS)
    prov = data["provenance"]
    assert prov["command"].startswith("python -m hub dedup fit") and prov["seeds"] and prov["fitted_at"]
    assert min(prov["seeds"]) >= 1000, "fitted on seeds the benchmark does not report on"
    assert 0.0 < load().threshold < 1.0


def _store(db, doc_id: str, text: str) -> None:
    from edge.fingerprint import fingerprint
    from edge.fingerprint.identity import identity_keys

    with db.conn:
        insert_document(db, NewDocument(doc_id=doc_id, source="import", text=text, fingerprint=fingerprint(text),
                                        identity_keys=identity_keys(text), page_count=1))


def test_a_proposal_stores_its_probability_and_explains_itself_in_vietnamese(tmp_path):
    """A rescan at 3% noise is proposed with its probability and reasons an operator can read;
    the other person's letter on the same template (another CCCD) is not."""
    docs = {d.variant: d for d in labelled_corpus(1, seed=2025)}
    rng = random.Random(3)
    db = open_index(tmp_path / "index.db")
    _store(db, "a", ocr_noise(docs["original"].text, 0.03, rng))
    match_document(db, "a")
    _store(db, "b", ocr_noise(docs["rescan"].text, 0.03, rng))
    verdict = match_document(db, "b", matcher="model")
    assert [m.doc_id for m in verdict.matches] == ["a"]
    assert verdict.matches[0].probability >= load().threshold
    _store(db, "c", ocr_noise(docs["same_template_other_person"].text, 0.03, rng))
    assert not getattr(match_document(db, "c", matcher="model"), "matches", ())
    noise = dict(db.execute("select doc_id, noise from dedup_docs").fetchall())
    assert all(0.0 < noise[d] < 0.1 for d in "abc"), noise  # read from each letter's own words, kept
    [row] = queue(db)
    assert row["probability"] == verdict.matches[0].probability and row["model_version"] == load().version
    phrases = [r.text for r in explain(row)]
    assert "cùng số CCCD" in phrases
    assert any(p.startswith("văn bản giống ") and p.endswith("%") for p in phrases)


def test_the_queue_puts_the_most_probable_first(tmp_path):
    db = open_index(tmp_path / "index.db")
    db.execute("insert into duplicate_pairs (doc_a, doc_b, similarity, containment, decision, probability) "
               "values ('a', 'b', 0.5, 0.5, 'proposed', 0.7), ('c', 'd', 0.5, 0.5, 'proposed', 0.99), "
               "('e', 'f', 0.5, 0.5, 'proposed', null)")
    assert [(r["doc_a"], r["doc_b"]) for r in queue(db)] == [("c", "d"), ("a", "b"), ("e", "f")]


def test_refitting_learns_from_the_operators_decisions(tmp_path):
    """`hub dedup fit --db` refits on generated letters plus the index's decided pairs and
    writes a weights file that names them in its provenance."""
    import subprocess
    import sys

    import pytest

    pytest.importorskip("sklearn")
    from hub.dedup.review import decide

    docs = {d.variant: d for d in labelled_corpus(2, seed=2026)}
    rng = random.Random(5)
    db = open_index(tmp_path / "index.db")
    for name in ("original", "rescan", "same_citizen_other_matter"):
        _store(db, name, ocr_noise(docs[name].text, 0.03, rng))
        match_document(db, name)
    assert decide(db, "original", "rescan", "confirmed", by="op")
    with db.conn:
        db.execute("insert or ignore into duplicate_pairs (doc_a, doc_b, decision) values "
                   "('original', 'same_citizen_other_matter', 'proposed')")
    assert decide(db, "original", "same_citizen_other_matter", "rejected", by="op")
    db.conn.close()
    out = tmp_path / "model.json"
    res = subprocess.run([sys.executable, "-m", "hub", "dedup", "fit", "--db", str(tmp_path / "index.db"),
                          "--seeds", "1", "--matters", "4", "--out", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["provenance"]["decided_pairs"] == 2 and set(data["weights"]) == set(TERMS)


def test_an_explanation_names_the_shared_decision_as_the_letters_write_it():
    from hub.dedup.features import PairFeatures
    from hub.dedup.model import Score
    from hub.dedup.reasons import stored_reasons

    f = PairFeatures(0.9, 0.95, 0.9, 0.95, 0.97, 0, 0, 3, 0, "same", "same", "same", 1.0, False, 0.01, 0.01,
                     None, False)
    text = "Tôi khiếu nại Quyết định số 1234/QĐ-UBND ngày 12/03/2025 về thu hồi thửa đất số 31."
    row = {"reasons": stored_reasons(f, Score(0.99, {"id_same": 4.0, "jaccard_raw": 14.0}, "t"), text, text)}
    phrases = [r.text for r in explain(row)]
    assert phrases[0] == "văn bản giống 97%"
    assert "cùng số quyết định 1234/QĐ-UBND" in phrases and "cùng ngày 12/3/2025" in phrases


def test_a_pair_is_the_same_matter_the_same_citizen_or_another_matter():
    from hub.dedup.features import PairFeatures
    from hub.dedup.model import ANOTHER_MATTER, SAME_CITIZEN, SAME_MATTER, score, verdict

    def pair(share: float, id_relation: str, phone: str = "absent") -> PairFeatures:
        return PairFeatures(share, share, share, share, share, 0, 0, 2, 0, id_relation, phone, "absent",
                            1.0 if share > 0.5 else 0.0, False, 0.02, 0.02, None, False)

    for f, expected in ((pair(0.95, "same"), SAME_MATTER), (pair(0.15, "same"), SAME_CITIZEN),
                        (pair(0.15, "absent", "same"), SAME_CITIZEN), (pair(0.15, "absent"), ANOTHER_MATTER),
                        (pair(0.99, "different"), ANOTHER_MATTER)):
        assert verdict(score(f), f) == expected, (f, score(f).probability)
