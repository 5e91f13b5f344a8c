"""The kiosk screen: who may open it, what its banner says, the clerk's review, the receipt."""
from __future__ import annotations

import hashlib
import io
import json
import stat
from datetime import datetime

import cv2
import numpy as np
import pytest
from pypdf import PdfReader

from edge.documents import LOCAL_TZ, next_reference
from edge.kiosk import create_app
from edge.kiosk.security import COOKIE, CSRF_HEADER, TOKEN_FILE, csrf_value, session_value
from edge.kiosk.status import recent_documents
from edge.kiosk.verdict import banner
from tests.edge.test_kiosk_documents import LETTER


def _png(text: str = "") -> bytes:
    img = np.full((1100, 800), 255, np.uint8)
    if text:
        cv2.putText(img, text, (40, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2)
    return cv2.imencode(".png", img)[1].tobytes()


@pytest.fixture
def agent(edge_config):
    from edge.agent import Agent

    a = Agent(edge_config(None, kiosk={"review_fields": True, "review_timeout_s": 120.0}))
    yield a
    a.spool.close()


def add_batch(agent, texts: list[str]) -> str:
    """A processed batch in the spool, as the page workers leave it."""
    sp = agent.spool
    batch = sp.start_batch(source="hotfolder:test")
    for i, text in enumerate(texts):
        raw = _png(f"page {i + 1}" if text else "")
        sp.add_page(batch_id=batch, idx=i, raw=raw, source="hotfolder", dpi=300,
                    scan_sha256=hashlib.sha256(raw).hexdigest())
    sp.end_batch(batch)
    for text in texts:
        row = sp.claim_page()
        sp.page_done(row["page_id"], result={"text": text, "flags": [] if text else ["blank"],
                                             "blank": not text, "width": 800, "height": 1100},
                     archive=row["raw"], mime="image/png", archive_sha256="x")
    return batch


def assemble(agent) -> None:
    for b in agent.spool.batches_ready():
        agent._assemble(b)


def sent_documents(agent) -> list[dict]:
    rows = agent.spool.db.execute("select payload from outbox where topic like '%/doc'").fetchall()
    return [json.loads(r[0]) for r in rows]


@pytest.fixture
def client(agent):
    app = create_app(agent)
    c = app.test_client()
    assert c.get(f"/?token={app.config['KIOSK_TOKEN']}").status_code == 303
    c.csrf = {CSRF_HEADER: csrf_value(app.config["KIOSK_TOKEN"])}
    return c


def test_only_the_appliances_own_browser_gets_in(agent):
    app = create_app(agent)
    token = app.config["KIOSK_TOKEN"]
    path = agent.cfg.device.data_dir / TOKEN_FILE
    assert path.read_text().strip() == token and len(token) >= 22  # >= 128 bits
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    c = app.test_client()
    for url in ("/", "/api/status", "/thumb/x", "/page/x", "/receipt/K01-010125-0001.pdf"):
        assert c.get(url).status_code == 401, url
    # DNS rebinding: a foreign name resolving to the appliance is refused, token or not
    assert c.get(f"/?token={token}", headers={"Host": "evil.example:8081"}).status_code == 403
    assert c.get("/?token=wrong").status_code == 403
    r = c.get(f"/?token={token}")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and token not in cookie
    assert c.get("/api/status").status_code == 200
    assert c.get("/api/status", headers={"Host": "attacker.test"}).status_code == 403
    # a POST without the page's CSRF value (another site's form) does nothing
    assert c.post("/scan").status_code == 403 and not agent.screen.scan_requested
    assert c.post("/scan", headers={CSRF_HEADER: csrf_value(token)}).status_code == 200
    assert agent.screen.scan_requested
    # a new boot, a new token: the old cookie no longer opens the screen
    again = create_app(agent).test_client()
    again.set_cookie(COOKIE, session_value(token))
    assert again.get("/api/status").status_code == 401


def test_configured_host_names_are_allowed(edge_config):
    from edge.agent import Agent

    a = Agent(edge_config(None, kiosk={"allowed_hosts": "kiosk-01.local"}))
    try:
        app = create_app(a)
        c = app.test_client()
        r = c.get(f"/?token={app.config['KIOSK_TOKEN']}", headers={"Host": "kiosk-01.local:8081"})
        assert r.status_code == 303
    finally:
        a.spool.close()


def test_banner_names_the_resolved_case_in_local_time_and_never_a_document_id():
    matches = [
        {"doc_id": "18943f7a-aaaa", "status": "received", "case_ref": "", "received_at": "2026-12-01T02:00:00+00:00"},
        {"doc_id": "2c1d-bbbb", "status": "resolved", "case_ref": "HS-2025/0123",
         "resolved_at": "2025-11-19T18:30:00+00:00"},  # 20/11/2025 01:30 in Hanoi
        {"doc_id": "3e3e-cccc", "status": "in_progress", "case_ref": "HS-2026/0001"},
    ]
    b = banner({"outcome": "resubmission", "matches": matches})
    assert (b.level, b.text) == ("resubmission", "Đơn gửi lại: vụ việc HS-2025/0123 đã giải quyết ngày 20/11/2025")
    same = banner({"outcome": "same_matter", "matches": matches[:1]})
    assert (same.level, same.text) == ("same", "Trùng với đơn đã tiếp nhận ngày 01/12/2026")
    assert "18943f7a" not in same.text + same.plain
    assert banner({"outcome": "same_matter", "matches": matches[2:]}).text == "Cùng vụ việc với hồ sơ HS-2026/0001"
    assert banner({"outcome": "new"}).level == "new"
    assert banner(None).level == "wait"


def test_references_count_per_kiosk_and_local_day(agent):
    day1 = datetime(2026, 12, 8, 23, 59, tzinfo=LOCAL_TZ)
    assert next_reference(agent.spool, "k01", day1) == "K01-081226-0001"
    assert next_reference(agent.spool, "k01", day1) == "K01-081226-0002"
    # 17:30 UTC on the 8th is past midnight in Hanoi: a new day, a new count
    assert next_reference(agent.spool, "k01", datetime.fromisoformat("2026-12-08T17:30:00+00:00")) == "K01-091226-0001"


def test_the_clerk_corrects_a_field_and_the_document_carries_it(agent, client):
    add_batch(agent, [LETTER, "Trang 2 của đơn."])
    assemble(agent)
    assert sent_documents(agent) == []  # held for the clerk
    s = client.get("/api/status").get_json()
    review = s["review"]
    fields = {f["name"]: f for f in review["drafts"][0]["fields"]}
    assert fields["name"]["value"] == "Nguyen Van Hung" and fields["id_number"]["value"] == "001062004512"
    assert not fields["id_number"]["low"] and fields["letter_date"]["low"]  # no date: shown unsure
    url = f"/review/{review['batch_id']}/0"
    bad = client.post(url, json={"id_number": "00106200451X"}, headers=client.csrf)
    assert bad.status_code == 400 and bad.get_json()["message"]
    ok = client.post(url, json={"name": "Nguyễn Văn Hùng", "letter_date": "3/11/2025"}, headers=client.csrf)
    assert ok.get_json()["fields"]["name"] == "Nguyễn Văn Hùng"
    assert ok.get_json()["fields"]["letter_date"] == "2025-11-03"  # typed as on Vietnamese forms
    assert client.post(url, json={"letter_date": "31/02/2025"}, headers=client.csrf).status_code == 400
    assert client.post(f"/review/{review['batch_id']}/send", headers=client.csrf).get_json()["ok"]
    assemble(agent)
    (doc,) = sent_documents(agent)
    ref = doc["meta"]["reference"]
    assert ref.startswith("K01-") and doc["meta"]["fields"]["name"] == "Nguyễn Văn Hùng"
    assert doc["meta"]["fields"]["source"] == "clerk" and doc["meta"]["fields"]["confidence"]["name"] == 1.0
    s = client.get("/api/status").get_json()
    assert s["review"] is None and s["latest"]["reference"] == ref
    assert s["latest"]["level"] == "wait"


def test_an_unreviewed_document_is_sent_as_read_after_the_timeout(agent):
    add_batch(agent, [LETTER])
    assemble(agent)
    assert sent_documents(agent) == []  # held for the clerk until the review time is over
    held = agent.review.current()
    held.deadline = 0.0  # the clerk walked away
    agent.spool.set_setting("kiosk_recent", "{damaged")  # the screen's list is no reason to hold a batch
    assemble(agent)
    (doc,) = sent_documents(agent)
    assert doc["meta"]["fields"]["source"] == "ocr" and doc["meta"]["fields"]["name"] == "Nguyen Van Hung"
    assert agent.review.current() is None
    (shown,) = recent_documents(agent)
    assert shown["reference"] == doc["meta"]["reference"]


def test_a_batch_of_blank_pages_is_kept_aside_and_the_clerk_told(agent, client):
    batch = add_batch(agent, ["", "", ""])
    agent.screen.update(batch_id=batch, state="ready")
    assemble(agent)
    assemble(agent)  # and again: still kept aside
    assert sent_documents(agent) == []
    assert agent.spool.batch_pages(batch)[0]["raw"]  # the pages are still there
    s = client.get("/api/status").get_json()
    (alert,) = [a for a in s["alerts"] if "Tất cả các trang đều trắng" in a["text"]]
    # the clerk may still send it (a letter printed too faintly to read)
    assert client.post(alert["action"], headers=client.csrf).get_json()["ok"]
    agent.review.enabled = False
    assemble(agent)
    (doc,) = sent_documents(agent)
    assert doc["page_count"] == 3
    assert not [a for a in client.get("/api/status").get_json()["alerts"] if "trắng" in a["text"]]


def test_scanner_and_network_faults_are_red_alerts_not_the_green_box(agent, client):
    agent.screen.update(state="error", error_code="scanner_unplugged", error_vi="Mất kết nối tới thiết bị quét.")
    s = client.get("/api/status").get_json()
    assert not s["ok"] and "thiết bị quét" not in s["headline"]
    texts = [a["text"] + a["fix"] for a in s["alerts"]]
    assert any("Kiểm tra máy quét đã bật và cắm cáp" in t for t in texts)
    assert any("Kiểm tra cáp mạng" in t for t in texts)  # never connected in this test
    assert s["show_scan"] and s["can_scan"]  # a failed scan leaves the button usable


def test_receipt_names_the_citizen_but_no_other_personal_data(agent, client):
    agent.review.enabled = False
    add_batch(agent, [LETTER])
    assemble(agent)
    (doc,) = sent_documents(agent)
    agent.spool.set_verdict(doc["doc_id"], {"doc_id": doc["doc_id"], "outcome": "new"})
    s = client.get("/api/status").get_json()
    assert (s["latest"]["level"], s["latest"]["verdict"]) == ("new", "Đơn mới")
    ref = s["latest"]["reference"]
    r = client.get(f"/receipt/{ref}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(r.data)).pages[0].extract_text()
    assert "PHIẾU TIẾP NHẬN ĐƠN" in text and ref in text and "Nguyen Van Hung" in text
    assert "001062004512" not in text and "0912345678" not in text and "Hàng Bạc" not in text
    assert "thời hạn theo quy định" in " ".join(text.split())
    assert client.get("/receipt/K99-010101-0001.pdf").status_code == 404
    # no printer configured: a clear message, not a crash
    p = client.post(f"/receipt/{ref}/print", headers=client.csrf)
    assert p.status_code == 503 and "máy in" in p.get_json()["message"]


def _letter_png() -> bytes:
    """The letter typeset large (A4 at 200 dpi, 15 pt): every digit legible at full size."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 42)
    img = Image.new("L", (1654, 1200), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(LETTER.splitlines()):
        draw.text((80, 80 + i * 90), line, font=font, fill=0)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def test_thumbnails_are_too_small_and_blurred_to_read(agent, client):
    import pytesseract

    add_batch(agent, [LETTER])
    page_id = agent.spool.batch_pages(agent.spool.batches_ready()[0]["batch_id"])[0]["page_id"]
    agent.spool.db.execute("update pages set archive = ? where page_id = ?", [_letter_png(), page_id])
    full = cv2.imdecode(np.frombuffer(client.get(f"/page/{page_id}").data, np.uint8), 0)
    digits = lambda img: "".join(c for c in pytesseract.image_to_string(img, timeout=60) if c.isdigit())  # noqa: E731
    assert "001062004512" in digits(full)  # the enlarged page (local screen only) is legible
    thumb = cv2.imdecode(np.frombuffer(client.get(f"/thumb/{page_id}").data, np.uint8), 0)
    assert thumb.shape[1] <= 120
    # Even enlarged back to full size, the thumbnail gives away no run of the CCCD's digits.
    big = cv2.resize(thumb, (full.shape[1], full.shape[0]), interpolation=cv2.INTER_CUBIC)
    read = digits(big)
    assert not any("001062004512"[i:i + 4] in read for i in range(9)), read


def test_a_review_timeout_out_of_range_names_the_key():
    from edge.config import load_config
    from edge.exceptions import ConfigError

    with pytest.raises(ConfigError, match=r"\[kiosk\] review_timeout_s"):
        load_config(env={"DONTHU_EDGE_KIOSK_REVIEW_TIMEOUT_S": "-5"})
    assert load_config(env={}).kiosk.review_fields  # on unless turned off
