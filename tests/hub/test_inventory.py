"""The hub keeps each kiosk's software as its status message gives it."""
from __future__ import annotations

import json

from edge import inventory
from edge.wire import StatusMessage, new_id, now_iso, topic
from hub.index.db import open_index
from hub.ingest.handle import handle_message


def test_status_software_is_stored_and_an_offline_will_keeps_it(tmp_path):
    db = open_index(tmp_path / "index.db")
    sw = inventory.software()
    online = StatusMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), state="online",
                           boot_id="b1", software=sw)
    handle_message(db, topic("k01", "status"), online.to_json())
    offline = StatusMessage(msg_id=new_id(), device_id="k01", sent_at=now_iso(), state="offline",
                            boot_id="b1")
    handle_message(db, topic("k01", "status"), offline.to_json())
    row = db.execute("select state, software from devices where device_id = 'k01'").fetchone()
    assert row[0] == "offline" and json.loads(row[1]) == sw


def test_the_fleet_table_shows_each_kiosks_software_and_flags_an_old_version(tmp_path):
    import re

    from hub.panel import create_app
    from hub.panel.users import create_user

    db = open_index(tmp_path / "index.db")
    for device, version in (("k01", "0.2.0"), ("k02", "0.1.0")):
        msg = StatusMessage(msg_id=new_id(), device_id=device, sent_at=now_iso(), state="online",
                            boot_id="b", software={**inventory.software(), "version": version})
        handle_message(db, topic(device, "status"), msg.to_json())
    create_user(db, "canbo1", "mat-khau-dung-1")
    client = create_app({"TESTING": True, "DATABASE": str(tmp_path / "index.db"), "SECRET_KEY": "t"}).test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "canbo1", "password": "mat-khau-dung-1", "csrf_token": token})
    page = client.get("/").text
    assert "0.1.0 (cũ, mới nhất 0.2.0)" in page and 'class="nowrap outdated"' in page
    rows = {d["device_id"]: d for d in client.get("/api/devices").get_json()["devices"]}
    assert rows["k01"]["software_version"] == "0.2.0" and not rows["k01"]["outdated"]
    assert rows["k02"]["outdated"] and "tesseract" in rows["k02"]["software_detail"]
