"""Flask app of the kiosk screen, served on the appliance itself (loopback by default)."""
from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from flask import Flask, abort, jsonify, render_template, request
from werkzeug.serving import make_server

from edge.kiosk.strings import VI

if TYPE_CHECKING:
    from edge.agent import Agent

THUMB_WIDTH = 160


def _verdict_text(raw: str | None) -> str:
    if not raw:
        return VI["verdict_wait"]
    v = json.loads(raw)
    if v.get("outcome") == "new":
        return VI["verdict_new"]
    first = (v.get("matches") or [{}])[0]
    ref = first.get("case_ref") or str(first.get("doc_id", ""))[:8]
    if v.get("outcome") == "resubmission":
        date = f" ngày {first['resolved_at'][:10]}" if first.get("resolved_at") else ""
        return VI["verdict_resub"].format(ref=ref, date=date)
    return VI["verdict_same"].format(ref=ref)


def status(agent: Agent) -> dict[str, Any]:
    """Everything the screen shows, as plain data (also served as JSON)."""
    snap = agent.screen.snapshot()
    stats = agent.spool.stats()
    hot = agent.cfg.scanner.source == "hotfolder"
    state = snap["state"]
    if state == "scanning":
        headline = VI["scanning"].format(n=snap["page_no"])
    elif state == "feeder_empty":
        headline = VI["feeder_empty"].format(n=snap["page_no"])
    elif state in ("error", "disk_full"):
        headline = snap["error_vi"] or VI["error"]
    else:
        headline = VI["ready_hotfolder" if hot else "ready"]
    pages = []
    for p in agent.spool.screen_pages(snap["batch_id"]) if snap["batch_id"] else []:
        flags = json.loads(p["flags"]) if p["flags"] else []
        note = (VI["page_failed"] if p["state"] == "failed" else
                VI["page_blank"] if "blank" in flags else
                VI["page_low"] if "low_confidence" in flags else
                VI["page_wait"] if p["state"] in ("new", "processing") else "")
        pages.append({"page_id": p["page_id"], "no": p["idx"] + 1, "state": p["state"], "note": note})
    docs = [{"doc_id": d["doc_id"][:8], "at": d["created_at"], "pages": d["page_count"],
             "verdict": _verdict_text(d["verdict"])} for d in agent.spool.recent_documents()]
    connected = agent.uplink.connected
    return {
        "state": state, "headline": headline, "error_code": snap["error_code"],
        "connected": connected,
        "link": VI["online"] if connected else VI["offline"].format(k=stats["outbox_depth"]),
        "backlog": VI["backlog"].format(b=stats["ocr_backlog"]) if stats["ocr_backlog"] else "",
        "outbox_depth": stats["outbox_depth"], "ocr_backlog": stats["ocr_backlog"],
        "pages_today": stats["pages_today"], "can_scan": not hot and state != "scanning",
        "pages": pages, "documents": docs,
    }


def create_app(agent: Agent) -> Flask:
    """The kiosk screen for a running agent."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    @app.get("/")
    def index() -> str:
        return render_template("kiosk.html", s=status(agent), t=VI, device=agent.cfg.device)

    @app.get("/api/status")
    def api_status() -> Any:
        return jsonify(status(agent))

    @app.post("/scan")
    def scan() -> Any:
        # Only the page itself may start a scan (no cross-site form posts to the appliance).
        if request.headers.get("X-Kiosk") != "1":
            abort(403)
        agent.request_scan()
        return jsonify({"ok": True})

    @app.get("/thumb/<page_id>")
    def thumb(page_id: str) -> Any:
        data = agent.spool.page_image(page_id)
        if data is None:
            abort(404)
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
        if img is None:
            abort(404)
        h = max(1, int(img.shape[0] * THUMB_WIDTH / img.shape[1]))
        ok, buf = cv2.imencode(".jpg", cv2.resize(img, (THUMB_WIDTH, h), interpolation=cv2.INTER_AREA))
        return app.response_class(buf.tobytes(), mimetype="image/jpeg")

    return app


class _Server:
    def __init__(self, app: Flask, host: str, port: int) -> None:
        self._srv = make_server(host, port, app, threaded=True)
        self.port = self._srv.server_port
        self._thread = threading.Thread(target=self._srv.serve_forever, name="kiosk-web", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        self._srv.shutdown()


def serve_in_thread(agent: Agent) -> _Server:
    """Serve the kiosk screen in a background thread; ``.port`` is the bound port."""
    return _Server(create_app(agent), agent.cfg.kiosk.host, agent.cfg.kiosk.port)
