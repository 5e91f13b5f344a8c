"""Screen ``releases``: fleet updates from the panel — the releases the hub holds, each kiosk's
version and last update, and rolling a release out (one canary first, then the rest).

The work is ``hub.fleet.releases`` (the same as ``hub release deploy``); only admins may start
an update.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from edge.wire import DEVICE_ID_RE
from hub.fleet import releases
from hub.panel.auth import admin_required
from hub.panel.db import get_db
from hub.panel.devices import fleet

bp = Blueprint("releases", __name__)


@bp.route("/fleet/releases")
def index() -> str:
    """Releases, kiosks with their software, and the roll-out form."""
    return render_template("releases/index.html", releases=releases.releases(get_db()), devices=fleet())


@bp.route("/fleet/releases/deploy", methods=("POST",))
@admin_required
def deploy() -> Response:
    """Queue the update to a release for the kiosks chosen (or one canary)."""
    version = request.form.get("version", "")
    canary = request.form.get("canary", "")
    chosen = [d for d in request.form.getlist("device") if DEVICE_ID_RE.match(d)]
    if canary and not DEVICE_ID_RE.match(canary):
        canary = ""
    hub_url = current_app.config.get("HUB_URL") or request.host_url
    try:
        ids = releases.deploy(get_db(), version, chosen, hub_url=hub_url, by=g.user["username"],
                              canary=canary, force=request.form.get("force") == "1")
    except releases.ReleaseError as e:
        flash(f"Không cập nhật được: {e.message_vi}", "error")
        return redirect(url_for("releases.index"))
    flash(f"Đã gửi lệnh cập nhật bản {version} tới {len(ids)} thiết bị.", "info")
    return redirect(url_for("releases.index"))
