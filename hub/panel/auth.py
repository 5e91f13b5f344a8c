"""Screen ``auth``: sign in and out; every other page requires a signed-in operator."""
from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Flask,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from hub.panel import csrf
from hub.panel.db import get_db
from hub.panel.strings import t
from hub.panel.users import get_user, verify_user

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

# Endpoints reachable without signing in.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "enroll.redeem", "enroll.release_file"})


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


@bp.route("/login", methods=("GET", "POST"))
def login() -> str | Response:
    """Sign-in form; the error does not say whether the name or the password was wrong."""
    if request.method == "GET" and g.user is not None:
        return redirect(url_for("devices.index"))
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        if username and password and verify_user(get_db(), username, password):
            target = safe_next(request.form.get("next"), url_for("devices.index"))
            session.clear()
            session["user"] = username
            session.permanent = True
            csrf.rotate()
            log.info("operator signed in")
            return redirect(target)
        log.warning("failed sign-in from %s", request.remote_addr)
        error = t("auth.bad_credentials")
    return render_template(
        "auth/login.html", error=error, next=request.values.get("next", "")
    ), (401 if error else 200)


@bp.route("/logout", methods=("GET", "POST"))
def logout() -> str | Response:
    """GET asks for confirmation; POST (with the CSRF token) signs out."""
    if request.method == "POST":
        session.clear()
        flash(t("auth.logged_out"), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html")


def _load_user() -> Response | None:
    username = session.get("user")
    g.user = get_user(get_db(), username) if username else None
    if g.user is None and username:
        session.pop("user", None)  # account removed since sign-in
    if g.user is not None or request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.path.startswith("/api/"):
        return jsonify(error=t("auth.api_required")), 401
    flash(t("auth.required"), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    """Require sign-in on every endpoint except the public ones."""
    app.before_request(_load_user)
