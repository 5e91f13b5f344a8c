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
