"""Fleet updates from the panel: an admin rolls a release out to a canary kiosk first; the rest
wait for a healthy canary; an operator may not start an update."""
from __future__ import annotations

import json
import re
import zipfile

from hub.fleet import releases
from hub.index import open_index
from hub.panel import create_app
from hub.panel.users import create_user

PASSWORD = "mat-khau-dung-1"


def _wheel(path, version):
    wheel = path / f"donthu-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("edge/agent.py", "# agent\n")
        z.writestr("hub/cli.py", "# cli\n")
        z.writestr("edge/BUILD", f"test-{version}\n")
    return wheel


def _client(db_path, user):
    c = create_app({"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "t",
                    "HUB_URL": "http://10.20.0.1:8080"}).test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    c.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token})
    return c


def _token(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_an_admin_rolls_out_to_a_canary_first_and_an_operator_cannot(tmp_path):
    db = open_index(tmp_path / "index.db")
    releases.add_release(db, _wheel(tmp_path, "0.2.0"), releases_dir=tmp_path / "releases", by="t")
    for device in ("k01", "k02"):
        db["devices"].insert({"device_id": device, "state": "online", "software": json.dumps({"version": "0.1.0"})})
    create_user(db, "quantri", PASSWORD, role="admin")
    create_user(db, "canbo1", PASSWORD)
    db.conn.commit()

    admin = _client(tmp_path / "index.db", "quantri")
    page = admin.get("/fleet/releases").text
    assert "0.2.0" in page and "test-0.2.0" in page and "k02" in page
    refused = admin.post("/fleet/releases/deploy", data={"version": "0.2.0", "device": ["k01", "k02"],
                                                         "csrf_token": _token(page)})
    assert refused.status_code == 302
    assert "thiết bị thử" in admin.get("/fleet/releases").text  # no healthy canary yet
    admin.post("/fleet/releases/deploy", data={"version": "0.2.0", "canary": "k01", "csrf_token": _token(page)})
    rows = db.execute("select device_id, action, args from device_commands").fetchall()
    assert [(r[0], r[1]) for r in rows] == [("k01", "update")]
    assert json.loads(rows[0][2])["url"] == "http://10.20.0.1:8080/releases/donthu-0.2.0-py3-none-any.whl"

    operator = _client(tmp_path / "index.db", "canbo1")
    page = operator.get("/fleet/releases").text
    r = operator.post("/fleet/releases/deploy", data={"version": "0.2.0", "canary": "k02", "csrf_token": _token(page)})
    assert r.status_code == 403
    assert db.execute("select count(*) from device_commands").fetchone()[0] == 1
