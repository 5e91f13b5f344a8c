"""Flask app of the kiosk screen, served on the appliance itself (loopback by default).

Access rules (Host allow-list, per-boot token, CSRF header) are in :mod:`edge.kiosk.security`.
"""
from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from flask import Blueprint, Flask, abort, current_app, jsonify, redirect, render_template, request
from werkzeug.serving import make_server

from edge.fields import FieldsInvalid
from edge.kiosk import security
from edge.kiosk.exceptions import PrinterError, ReceiptError
from edge.kiosk.printer import print_pdf
from edge.kiosk.receipt import Receipt, receipt_pdf
from edge.kiosk.status import recent_documents, status, typed_value
from edge.kiosk.strings import VI

if TYPE_CHECKING:
    from edge.agent import Agent

log = logging.getLogger(__name__)
# Small and blurred: at 120 px an A4 line of 11 pt type is ~2 px high, and the blur
# (sigma 1.5 px) leaves no digit of a CCCD or phone number readable; the layout still shows.
THUMB_WIDTH = 120
THUMB_BLUR_SIGMA = 1.5
PAGE_WIDTH = 1400  # the enlarged page on the local screen
RECEIPTS_KEPT = 20  # a receipt can be printed again for the day's last documents

bp = Blueprint("kiosk", __name__)


def _agent() -> Agent:
    return current_app.config["AGENT"]


@bp.before_app_request
def guard() -> Any:
    """Host allow-list, then the boot token (from the URL once, then the cookie), then CSRF."""
    cfg = current_app.config
    if security.host_name(request.host) not in cfg["ALLOWED_HOSTS"]:
        return _refuse(403, VI["forbidden_host"])
    token = cfg["KIOSK_TOKEN"]
    if request.method == "GET" and request.path == "/" and "token" in request.args:
        if not security.same(request.args.get("token"), token):
            return _refuse(403, VI["need_token"])
        resp = redirect("/", code=303)  # the token leaves the address bar and history
        resp.set_cookie(security.COOKIE, security.session_value(token), httponly=True,
                        samesite="Strict", path="/")
        return resp
    if not security.same(request.cookies.get(security.COOKIE), security.session_value(token)):
        return _refuse(401, VI["need_token"])
    if request.method == "POST" and not security.same(request.headers.get(security.CSRF_HEADER),
                                                      security.csrf_value(token)):
        return _refuse(403, VI["need_token"])
    return None


def _refuse(code: int, message: str) -> Any:
    if request.path.startswith("/api/") or request.method == "POST":
        return jsonify({"ok": False, "message": message}), code
    return render_template("kiosk/refused.html", t=VI, message=message), code


@bp.get("/")
def index() -> str:
    agent = _agent()
    return render_template("kiosk/index.html", s=status(agent), t=VI, device=agent.cfg.device,
                           csrf=security.csrf_value(current_app.config["KIOSK_TOKEN"]))


@bp.get("/api/status")
def api_status() -> Any:
    return jsonify(status(_agent()))


@bp.post("/scan")
def scan() -> Any:
    _agent().request_scan()
    return jsonify({"ok": True})


@bp.post("/review/<batch_id>/<int:index>")
def correct(batch_id: str, index: int) -> Any:
    values = request.get_json(silent=True)
    if not isinstance(values, dict):
        return jsonify({"ok": False, "message": VI["not_found"]}), 400
    values = {k: typed_value(k, v) for k, v in values.items()}
    try:
        draft = _agent().review.correct(batch_id, index, values)
    except (KeyError, IndexError):
        return jsonify({"ok": False, "message": VI["review_gone"]}), 409
    except FieldsInvalid as e:
        return jsonify({"ok": False, "message": e.message_vi, "detail": e.detail}), 400
    return jsonify({"ok": True, "fields": draft.fields.values()})


@bp.post("/review/<batch_id>/send")
def send(batch_id: str) -> Any:
    agent = _agent()
    if not agent.review.confirm(batch_id):
        return jsonify({"ok": False, "message": VI["review_gone"]}), 409
    return jsonify({"ok": True, "message": VI["review_saved"]})


@bp.post("/blank/<batch_id>/send")
def send_blank(batch_id: str) -> Any:
    if not _agent().review.send_blank(batch_id):
        return jsonify({"ok": False, "message": VI["review_gone"]}), 409
    return jsonify({"ok": True, "message": VI["review_saved"]})


def _receipt(reference: str) -> Receipt:
    agent = _agent()
    for d in recent_documents(agent, limit=RECEIPTS_KEPT):
        if d["reference"] and d["reference"] == reference:
            place = agent.cfg.kiosk.reception_point or agent.cfg.device.name
            return Receipt(reference=reference, received_at=d["at"], pages=int(d["pages"]),
                           place=place, name=d["name"], verdict=d["plain"])
    abort(404)


@bp.get("/receipt/<reference>.pdf")
def receipt(reference: str) -> Any:
    try:
        pdf = receipt_pdf(_receipt(reference))
    except ReceiptError as e:
        log.error("%s", e.detail)
        return _refuse(500, e.message_vi)
    return current_app.response_class(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="phieu-tiep-nhan-{reference}.pdf"',
        "Cache-Control": "no-store"})


@bp.post("/receipt/<reference>/print")
def print_receipt(reference: str) -> Any:
    agent = _agent()
    try:
        job = print_pdf(receipt_pdf(_receipt(reference)), printer=agent.cfg.kiosk.printer,
                        title=reference)
    except (PrinterError, ReceiptError) as e:
        log.warning("receipt %s not printed: %s", reference, e.detail)
        return jsonify({"ok": False, "message": e.message_vi}), 503
    log.info("receipt %s printed (%s)", reference, job)
    return jsonify({"ok": True, "message": VI["printed"]})


def _image(page_id: str, width: int, blur: float) -> Any:
    data = _agent().spool.page_image(page_id)
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE) if data else None
    if img is None:
        abort(404)
    if img.shape[1] > width:
        h = max(1, int(img.shape[0] * width / img.shape[1]))
        img = cv2.resize(img, (width, h), interpolation=cv2.INTER_AREA)
    if blur:
        img = cv2.GaussianBlur(img, (0, 0), blur)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return current_app.response_class(buf.tobytes(), mimetype="image/jpeg",
                                      headers={"Cache-Control": "no-store"})


@bp.get("/thumb/<page_id>")
def thumb(page_id: str) -> Any:
    return _image(page_id, THUMB_WIDTH, THUMB_BLUR_SIGMA)


@bp.get("/page/<page_id>")
def page(page_id: str) -> Any:
    return _image(page_id, PAGE_WIDTH, 0.0)


def create_app(agent: Agent, test_config: dict[str, Any] | None = None) -> Flask:
    """The kiosk screen for a running agent; writes this boot's access token to its data dir."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config.update(
        AGENT=agent, ALLOWED_HOSTS=security.allowed_hosts(agent.cfg.kiosk.allowed_hosts),
        MAX_CONTENT_LENGTH=64 * 1024,  # a form of eight short fields
    )
    if test_config:
        app.config.update(test_config)
    if "KIOSK_TOKEN" not in app.config:
        app.config["KIOSK_TOKEN"] = security.write_token(agent.cfg.device.data_dir)
    app.register_blueprint(bp)
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
