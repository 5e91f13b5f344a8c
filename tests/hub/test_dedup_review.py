"""Review and outcomes: rejected pairs stay rejected, every decision is kept, same-citizen links, highlights."""
from __future__ import annotations

from edge.fingerprint import fingerprint
from edge.fingerprint.identity import identity_keys
from hub.dedup import NewMatter, SameMatter, clusters, match_document
from hub.dedup.review import decide, history, passages
from hub.index import open_index
from hub.index.documents import NewDocument, insert_document

LETTER = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nĐƠN KHIẾU NẠI\n"
          "Kính gửi: Ủy ban nhân dân quận Đống Đa\nTôi tên là: Lê Thị Minh Hằng\n"
          "Số CCCD: 001180023456\nSố điện thoại: 0912 345 678\n"
          "Tôi khiếu nại Quyết định số 2231/QĐ-UBND ngày 14/05/2025 về việc thu hồi thửa đất số 118, "
          "tờ bản đồ số 27 tại ngõ 42 phố Khâm Thiên. Gia đình tôi đã sử dụng ổn định từ năm 1988, "
          "tiền bồi thường 412.000.000 đồng thấp hơn nhiều so với giá thị trường, chưa tính công trình "
          "phụ và cây trồng trên đất. Đề nghị xem xét lại phương án bồi thường cho gia đình tôi.\n")
OTHER_MATTER = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nĐƠN KIẾN NGHỊ\n"
                "Kính gửi: Ủy ban nhân dân phường Ô Chợ Dừa\nTôi tên là: Lê Thị Minh Hằng\n"
                "Số CCCD: 001180023456\nSố điện thoại: 0912 345 678\n"
                "Quán karaoke số 77 ngõ 120 Hào Nam mở nhạc to sau 23 giờ mỗi đêm từ tháng 3/2026, "
                "tôi đã báo tổ dân phố số 9 hai lần nhưng tình trạng vẫn tiếp diễn. Đề nghị kiểm tra, "
                "xử phạt và buộc cơ sở cách âm theo quy định về tiếng ồn khu dân cư.\n")


def _add(db, doc_id: str, text: str):
    with db.conn:
        insert_document(db, NewDocument(doc_id=doc_id, source="import", text=text, fingerprint=fingerprint(text),
                                        identity_keys=identity_keys(text), page_count=1))
        return match_document(db, doc_id)


def test_same_citizen_other_matter_is_a_link_not_a_duplicate(tmp_path):
    db = open_index(tmp_path / "i.db")
    _add(db, "a", LETTER)
    v = _add(db, "b", OTHER_MATTER)
    assert isinstance(v, NewMatter)
    assert [lk.doc_id for lk in v.same_citizen] == ["a"]
    assert "cccd:001180023456" in v.same_citizen[0].keys
    assert db["citizen_links"].count == 1
    assert clusters(db) == []


def test_rejected_pair_is_never_proposed_again_and_decisions_are_kept(tmp_path):
    db = open_index(tmp_path / "i.db")
    _add(db, "a", LETTER)
    v = _add(db, "b", "Tôi gửi lại đơn này lần 2.\n" + LETTER)
    assert isinstance(v, SameMatter) and v.matches[0].doc_id == "a"
    assert decide(db, "b", "a", "confirmed", by="canbo1")
    assert decide(db, "a", "b", "rejected", by="truongphong", note="khác vụ việc")
    assert [h["decision"] for h in history(db, "a", "b")] == ["confirmed", "rejected"]
    assert history(db, "a", "b")[1]["decided_by"] == "truongphong"
    # Matching the document again (e.g. after a re-index) does not bring the pair back.
    again = match_document(db, "b")
    assert isinstance(again, NewMatter)
    assert db["duplicate_pairs"].get(("a", "b"))["decision"] == "rejected"
    assert clusters(db) == []
    assert not decide(db, "a", "zzz", "confirmed", by="canbo1")


def test_passages_mark_the_shared_text_in_both_documents():
    a = "Kính gửi Ủy ban. Tôi khiếu nại Quyết định số 2231/QĐ-UBND về thu hồi thửa đất số 118."
    b = "Thư gửi kèm đơn.\nTOI KHIEU NAI QUYET DINH SO 2231/QD-UBND ve thu hoi thua dat so 118. Xin cảm ơn."
    sa, sb = passages(a, b)
    shared_a = "".join(s.text for s in sa if s.shared)
    shared_b = "".join(s.text for s in sb if s.shared)
    assert "khiếu nại Quyết định số 2231/QĐ-UBND" in shared_a
    assert "KHIEU NAI QUYET DINH SO 2231" in shared_b
    assert "Thư gửi kèm" not in shared_b
    assert "".join(s.text for s in sa) == a  # nothing lost or reordered


def test_proposals_are_rechecked_a_slice_at_a_time_and_decisions_are_left_alone(tmp_path):
    from hub.dedup import boilerplate
    from hub.dedup.match import recheck_pending, recheck_proposed

    db = open_index(tmp_path / "i.db")
    _add(db, "a", LETTER)
    for k in range(3):
        _add(db, f"copy{k}", f"Tôi gửi lại đơn này lần {k + 2}.\n" + LETTER)
    pairs = db.execute("select doc_a, doc_b from duplicate_pairs where decision = 'proposed'").fetchall()
    assert len(pairs) >= 4
    assert decide(db, "a", "copy0", "confirmed", by="canbo1")
    with db.conn:  # as if proposed under older boilerplate, one of them about a document gone since
        gen = boilerplate.generation(db) + 1
        boilerplate.set_state(db, "boilerplate_gen", gen)
        db.execute("update duplicate_pairs set boiler_gen = 0")
        db.execute("insert into duplicate_pairs (doc_a, doc_b, similarity, containment, method, found_at, "
                   "decision, boiler_gen) values ('a', 'gone', 0.5, 0.5, 'test', '2026-01-01', 'proposed', 0)")
        boilerplate.set_state(db, "recheck_pending", 1)
    assert recheck_pending(db)
    with db.conn:
        assert recheck_proposed(db, limit=1) is True
    assert db.execute("select count(*) from duplicate_pairs where boiler_gen = ?", [gen]).fetchone()[0] == 1
    while recheck_pending(db):
        with db.conn:
            recheck_proposed(db, budget_s=0.0)  # at least one proposal per slice
    decisions = dict(((a, b), d) for a, b, d in db.execute("select doc_a, doc_b, decision from duplicate_pairs"))
    assert decisions[("a", "gone")] == "withdrawn"
    assert decisions[("a", "copy0")] == "confirmed"  # an operator's decision is never re-checked
    assert all(d == "proposed" for pair, d in decisions.items() if pair not in {("a", "gone"), ("a", "copy0")})
    assert db.execute("select count(*) from duplicate_pairs where decision = 'proposed' and boiler_gen < ?",
                      [gen]).fetchone()[0] == 0


def test_explain_words_why_a_pair_was_proposed():
    from hub.dedup.review import explain

    a = {"text_sha256": "x", "identity_keys": '["cccd:001180023456", "phone:+84912345678"]'}
    b = {"text_sha256": "y", "identity_keys": '["cccd:001180023456"]'}
    reasons = explain({"similarity": 0.71, "containment": 0.93}, a, b)
    assert [(r.code, r.params) for r in reasons] == [("similar", {"pct": 71}), ("contained", {"pct": 93}),
                                                    ("key_cccd", {"value": "001180023456"})]
    assert [r.code for r in explain({"similarity": 0.5}, a, {**a})] == ["same_text", "key_cccd", "key_phone"]
    # A model's own sentences, when the pair holds them, are the explanation.
    model = explain({"similarity": 0.5, "explanation": '[{"text": "Cùng người viết, cùng thửa đất"}]'}, a, b)
    assert [r.text for r in model] == ["Cùng người viết, cùng thửa đất"]
