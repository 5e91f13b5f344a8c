"""Screen ``enroll``: the kiosks' enrollment endpoint and release downloads, and the
operators' list of enrollments.

``POST /enroll`` is public (a kiosk being set up has no session): it takes JSON
``{"device_id", "proof"}`` and answers ``{"sealed": ...}`` — credentials only the kiosk holding
the code can open (``edge.enrollment``) — or ``{"error", "message_vi"}`` with the status of
``hub.fleet.enroll.refused``. It carries no form, so it is exempt from the CSRF check, and it
sets no cookie.
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
)
from werkzeug.wrappers import Response

from edge.enrollment import EnrollError
from edge.wire import DEVICE_ID_RE
from hub.fleet import enroll, releases
from hub.panel.db import get_db

bp = Blueprint("enroll", __name__)
_PROOF_RE = re.compile(r"^[0-9a-f]{64}$")


@bp.route("/enroll", methods=("POST",))
def redeem() -> tuple[Response, int] | Response:
    """Hand a kiosk its sealed credentials for a valid one-time code."""
    body = request.get_json(silent=True, force=True)
    device_id = body.get("device_id") if isinstance(body, dict) else None
    proof_hex = body.get("proof") if isinstance(body, dict) else None
    if (not isinstance(device_id, str) or not DEVICE_ID_RE.match(device_id)
            or not isinstance(proof_hex, str) or not _PROOF_RE.match(proof_hex)):
        e = enroll.refused("bad_code")
        return jsonify(error=e.code, message_vi=e.message_vi), 400
    try:
        sealed = enroll.redeem(get_db(), device_id=device_id, proof_hex=proof_hex,
                               remote=request.remote_addr or "")
    except EnrollError as e:
        return jsonify(error=e.code, message_vi=e.message_vi), e.status
    resp = jsonify(sealed=sealed)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/releases/<filename>")
def release_file(filename: str) -> Response:
    """A release's wheel for a kiosk's update (public: the kiosk checks it against the hash
    its update command carries)."""
    if not releases._WHEEL_RE.match(filename):
        abort(404)
    folder = Path(current_app.config.get("RELEASES_DIR") or Path(current_app.config["DATABASE"]).parent / "releases")
    if not (folder / filename).is_file():
        abort(404)
    return send_from_directory(folder, filename, mimetype="application/octet-stream", max_age=0)


@bp.route("/enrollments")
def index() -> str:
    """Kiosks given a code: pending, enrolled, expired, locked or retired."""
    return render_template("enroll/index.html", items=enroll.enrollments(get_db()))
