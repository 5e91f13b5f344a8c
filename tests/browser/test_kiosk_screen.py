"""The kiosk screen in a real browser, with a real appliance (hot folder), broker and hub ingester.

A clerk sees the review form, corrects the petitioner's name in Vietnamese, sends it, and sees
the green banner in Hanoi time; the corrected name is in the city index. The same letter
brought again after its case was resolved shows red, naming the case. The receipt downloads.
A foreign Host or a missing token is refused. Screenshots at 800x480 and 1024x600.
"""
from __future__ import annotations

import io
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from edge.agent import Agent
from edge.documents import LOCAL_TZ
from edge.kiosk import serve_in_thread
from hub.cases.store import assign, set_status
from hub.config import MqttConfig
from hub.index import open_index
from hub.ingest.subscriber import Ingester
from tests.conftest import PASSWORDS, screenshot

pytestmark = pytest.mark.slow

LETTER = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 3 tháng 11 năm 2025
ĐƠN KHIẾU NẠI
Kính gửi: Ủy ban nhân dân quận Hoàn Kiếm
Họ và tên: Nguyen Thi Hang
Số CCCD: 001185012345
Địa chỉ: số 14 phố Hàng Bạc, phường Hàng Bạc, quận Hoàn Kiếm, Hà Nội
Số điện thoại: 0912 345 678
Tôi khiếu nại việc hộ ông Trần Văn Bình lấn chiếm vỉa hè trước cửa nhà
số 16 phố Hàng Bạc để kinh doanh, cản trở lối đi của gia đình tôi từ
tháng 3 năm 2025. Tôi đã báo với tổ dân phố nhưng chưa được giải quyết.
Đề nghị Ủy ban nhân dân quận kiểm tra, xử lý dứt điểm việc lấn chiếm.
Người làm đơn
Nguyen Thi Hang"""
CORRECT_NAME = "Nguyễn Thị Hằng"


def letter_png() -> bytes:
    """The letter typeset at 200 dpi (A4 width) in DejaVu Serif."""
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 30)
    img = Image.new("L", (1654, 1400), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(LETTER.splitlines()):
        draw.text((120, 100 + i * 72), line, font=font, fill=0)
    out = io.BytesIO()
    img.save(out, format="PNG", dpi=(200, 200))
    return out.getvalue()


def drop(hotfolder: Path, name: str) -> None:
    tmp = hotfolder / f".{name}.tmp"
    tmp.mkdir()
    (tmp / "p01.png").write_bytes(letter_png())
    tmp.rename(hotfolder / name)


@pytest.fixture
def hub(broker, tmp_path):
    ingester = Ingester(db_path=tmp_path / "index.db", mqtt_cfg=MqttConfig(
        host="127.0.0.1", port=broker.port, username="hub", password=PASSWORDS["hub"],
        client_id="hub-kiosk-test"))
    ingester.start()
    assert ingester.connected.wait(10)
    yield ingester
    ingester.stop()


@pytest.fixture
def kiosk(broker, hub, edge_config, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    cfg = edge_config(broker, scanner={"source": "hotfolder", "hotfolder": inbox, "settle_s": 0.3,
                                       "dpi": 200},
                      kiosk={"review_fields": True, "review_timeout_s": 300.0})
    agent = Agent(cfg)
    agent.start()
    server = serve_in_thread(agent)
    token = (cfg.device.data_dir / "kiosk-token").read_text().strip()
    yield agent, f"http://127.0.0.1:{server.port}", token, inbox
    server.shutdown()
    agent.stop()


def fits(page) -> bool:
    """Nothing on the screen needs scrolling."""
    return page.evaluate("document.documentElement.scrollHeight <= window.innerHeight "
                         "&& document.documentElement.scrollWidth <= window.innerWidth")


def test_clerk_corrects_the_name_and_sees_new_then_resubmission(browser, kiosk, tmp_path):
    agent, base, token, inbox = kiosk
    small = browser.new_context(viewport={"width": 800, "height": 480}, accept_downloads=True,
                                locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = small.new_page()
    page.goto(f"{base}/?token={token}")
    assert "token" not in page.url  # exchanged for the cookie and dropped from the address
    assert not page.locator("#scan").is_visible()  # hot folder: no scan button at all

    drop(inbox, "letter-1")
    page.wait_for_selector("#review input[name=name]", timeout=180_000)
    assert page.locator("#review input[name=id_number]").input_value() == "001185012345"
    assert page.locator("#review input[name=name]").get_attribute("lang") == "vi"
    assert page.locator("#review input[name=letter_date]").input_value() == "03/11/2025"
    screenshot(page, "kiosk-800x480-review")
    assert fits(page)
    page.fill("#review input[name=name]", "")
    page.locator("#review input[name=name]").press_sequentially(CORRECT_NAME)  # key by key
    page.click("#send")
    page.wait_for_selector("#banner.new", timeout=60_000)
    assert page.locator("#banner .big").inner_text() == "Đơn mới"
    assert page.locator("#banner .big").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 40
    shown = page.locator("#banner .small").inner_text()
    now = datetime.now(LOCAL_TZ)
    assert any((now - timedelta(minutes=m)).strftime("%d/%m/%Y %H:%M") in shown for m in range(4)), shown
    screenshot(page, "kiosk-800x480-new")
    assert fits(page)

    db = open_index(tmp_path / "index.db")
    (doc_id, reference), = db.execute("select doc_id, reference from documents").fetchall()
    assert reference in shown and reference.startswith("K01-" + now.strftime("%d%m%y"))
    fields = db["document_fields"].get(doc_id)
    assert (fields["name"], fields["source"], fields["id_number"], fields["letter_date"]) == (
        CORRECT_NAME, "clerk", "001185012345", "2025-11-03")

    with page.expect_download() as dl:
        page.click("#receipt")
    pdf = Path(dl.value.path()).read_bytes()
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "PHIẾU TIẾP NHẬN ĐƠN" in text and reference in text and CORRECT_NAME in text
    assert "001185012345" not in text

    # The case is resolved at the hub; the citizen brings the same letter again.
    with db.conn:
        assign(db, doc_id, "HS-2025/0123", by="test", via="test")
        set_status(db, "HS-2025/0123", "resolved", "2025-11-20", by="test", via="test")
    large = browser.new_context(viewport={"width": 1024, "height": 600}, locale="vi-VN")
    big = large.new_page()
    big.goto(f"{base}/?token={token}")
    drop(inbox, "letter-2")
    page.wait_for_selector("#review input[name=name]", timeout=180_000)
    big.wait_for_selector("#review input[name=name]")
    screenshot(big, "kiosk-1024x600-review")
    assert fits(big)
    page.click("#send")
    page.wait_for_selector("#banner.resubmission", timeout=60_000)
    assert page.locator("#banner .big").inner_text() == \
        "Đơn gửi lại: vụ việc HS-2025/0123 đã giải quyết ngày 20/11/2025"
    screenshot(page, "kiosk-800x480-resubmission")
    assert fits(page)

    big.wait_for_selector("#banner.resubmission")
    screenshot(big, "kiosk-1024x600-resubmission")
    assert fits(big)
    db.conn.close()
    small.close()
    large.close()


def test_foreign_host_and_missing_token_are_refused(browser, kiosk):
    agent, base, token, _ = kiosk
    ctx = browser.new_context(viewport={"width": 800, "height": 480})
    page = ctx.new_page()
    r = page.goto(f"{base}/")
    assert r.status == 401 and "mã truy cập" in page.inner_text("body")
    screenshot(page, "kiosk-800x480-no-token")
    assert page.goto(f"{base}/api/status").status == 401
    # DNS rebinding: the browser asks with the attacker's name in Host, even with the token
    rebound = ctx.request.get(f"{base}/?token={token}", headers={"Host": "rebind.example"},
                              max_redirects=0)
    assert rebound.status == 403
    assert ctx.request.post(f"{base}/scan").status == 401
    assert not agent.screen.scan_requested
    ctx.close()


def test_the_spool_never_holds_the_token_and_it_is_private(kiosk):
    agent, _, token, _ = kiosk
    path = agent.cfg.device.data_dir / "kiosk-token"
    assert path.stat().st_mode & 0o077 == 0
    with sqlite3.connect(agent.cfg.spool_path) as db:
        assert not db.execute("select 1 from settings where value like ?", [f"%{token}%"]).fetchone()
