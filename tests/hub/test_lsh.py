"""The LSH band index: rarer shared bands rank first, buckets of a common phrasing go hot."""
from __future__ import annotations

import pytest

from hub.dedup import lsh
from hub.index import open_index
from hub.ingest.files import import_file


def _bucket(db, key: int) -> list[int]:
    return [d for (d,) in db.conn.execute("select doc from dedup_lsh where key = ? order by doc", [key])]


def _hot(db) -> set[int]:
    return {k for (k,) in db.conn.execute("select key from dedup_lsh_hot")}


def test_a_rare_shared_band_outweighs_common_ones(tmp_path):
    db = open_index(tmp_path / "index.db")
    lsh.add(db, 1, [10, 11])  # shares one band that no one else has
    for n in range(2, 32):  # 30 documents share two common bands
        lsh.add(db, n, [20, 21])
    found = lsh.lookup(db, 99, [10, 20, 21])
    assert found.candidates[0] == 1
    assert found.sizes == {10: 1, 20: 30, 21: 30}
    assert found.candidates[1:4] == [31, 30, 29]  # the newest first among equals
    for n in range(32, 32 + lsh.MAX_CANDIDATES):
        lsh.add(db, n, [20])
    assert len(lsh.lookup(db, 99, [10, 20]).candidates) == lsh.MAX_CANDIDATES
    lsh.add(db, 99, [10])
    assert lsh.lookup(db, 99, [10]).candidates == [1]  # never itself


def test_a_bucket_filled_by_a_common_phrasing_goes_hot_and_is_no_longer_read(tmp_path):
    db = open_index(tmp_path / "index.db")
    for n in range(1, lsh.HOT):
        lsh.add(db, n, [7, 1000 + n])
    assert len(_bucket(db, 7)) == lsh.HOT - 1 and not _hot(db)
    looked = lsh.lookup(db, lsh.HOT, [7, 1000 + lsh.HOT])
    lsh.add(db, lsh.HOT, [7, 1000 + lsh.HOT], looked.sizes)  # fills it
    assert _hot(db) == {7} and _bucket(db, 7) == []
    assert _bucket(db, 1000 + lsh.HOT) == [lsh.HOT]
    # Later documents are neither indexed nor looked up there; their own bands still find them.
    lsh.add(db, 500, [7, 1005])
    assert _bucket(db, 7) == []
    found = lsh.lookup(db, 501, [7, 1005])
    assert found.candidates == [500, 5] and 7 not in found.sizes


def test_buckets_written_in_bulk_are_marked_hot(tmp_path):
    db = open_index(tmp_path / "index.db")
    db.conn.executemany("insert into dedup_lsh (key, doc) values (?, ?)",
                        [(3, n) for n in range(1, lsh.HOT + 1)] + [(4, 1), (4, 2)])
    assert lsh.mark_hot(db) == 1
    assert _hot(db) == {3} and _bucket(db, 3) == [] and _bucket(db, 4) == [1, 2]
    assert lsh.mark_hot(db) == 0


LETTER = ("Kính gửi Ủy ban nhân dân phường Láng. Tôi là Đỗ Minh Châu, CCCD 001090011223. "
          "Tôi khiếu nại Quyết định số 556/QĐ-UBND về bồi thường thửa đất số 31 tờ bản đồ 4, "
          "vì gia đình tôi chưa nhận được khoản hỗ trợ tái định cư như đã hứa từ năm 2019. ") * 3


NO_ID = LETTER.replace(", CCCD 001090011223", "")


@pytest.mark.parametrize(("hot", "letter", "found"), [
    ("half", NO_ID, True),  # through its own wording, the bands left
    ("all", LETTER, True),  # through the ID number it gives: the citizen's letters are candidates
    ("all", NO_ID, False),  # nothing left to find it by
])
def test_a_copy_is_found_when_its_common_bands_are_hot(tmp_path, hot, letter, found):
    (tmp_path / "a.txt").write_text(letter, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Tôi gửi lại đơn lần hai.\n" + letter, encoding="utf-8")
    db = open_index(tmp_path / "index.db")
    first = import_file(db, tmp_path / "a.txt")
    keys = _keys_of(db, first.document_id)
    _make_hot(db, keys[::2] if hot == "half" else keys)  # as if these phrasings were everyone's
    assert import_file(db, tmp_path / "b.txt").duplicate_of == ((first.document_id,) if found else ())


def _keys_of(db, doc_id: str) -> list[int]:
    n = db.execute("select n from dedup_docs where doc_id = ?", [doc_id]).fetchone()[0]
    return [k for (k,) in db.conn.execute("select key from dedup_lsh where doc = ?", [n])]


def _make_hot(db, keys: list[int]) -> None:
    with db.conn:
        for k in keys:
            db.conn.execute("insert into dedup_lsh_hot (key) values (?)", [k])
            db.conn.execute("delete from dedup_lsh where key = ?", [k])


def test_an_index_from_before_the_fingerprint_table_is_reindexed_on_opening(tmp_path):
    import sqlite3

    import sqlite_utils

    from hub.index import db as index_db

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(str(path)))
    done = [m for m in index_db.MIGRATIONS if m[0] < "005"]
    old["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    for name, step in done:
        step(old)
        old["_migrations"].insert({"name": name, "applied_at": "2026-01-01T00:00:00+00:00"})
    for doc_id in ("a", "b"):
        old["documents"].insert({"doc_id": doc_id, "source": "import", "text": LETTER, "text_fold": None,
                                 "received_at": "2026-01-01T00:00:00+00:00", "page_count": 1,
                                 "identity_keys": '["cccd:001090011223"]'})
    old.conn.commit()
    old.conn.close()
    db = open_index(path)
    assert db.execute("select count(*) from dedup_docs").fetchone()[0] == 2
    assert _keys_of(db, "a") and _bucket(db, _keys_of(db, "a")[0]) == [1, 2]


def test_a_citizen_who_wrote_very_often_still_has_a_copy_found_through_the_id(tmp_path):
    """Over 50 letters with one ID: the ID links none of them (it may be a hotline printed on a
    form), but the newest letters holding it are still candidates."""
    from hub.dedup import citizens

    db = open_index(tmp_path / "index.db")
    letters = []
    for i in range(citizens.MAX_PER_KEY + 5):
        text = LETTER.replace("556/QĐ", f"{600 + i}/QĐ").replace("thửa đất số 31", f"thửa đất số {100 + i}")
        (tmp_path / f"{i}.txt").write_text(text, encoding="utf-8")
        letters.append((text, import_file(db, tmp_path / f"{i}.txt").document_id))
    text, last = letters[-1]
    _make_hot(db, _keys_of(db, last))  # its bands all filled by the citizen's many letters
    (tmp_path / "copy.txt").write_text("Tôi gửi lại đơn lần hai.\n" + text, encoding="utf-8")
    copy = import_file(db, tmp_path / "copy.txt")
    assert copy.duplicate_of == (last,)
    copy = copy.document_id
    assert not db.execute("select count(*) from citizen_links where doc_a = ? or doc_b = ?", [copy, copy]).fetchone()[0]
