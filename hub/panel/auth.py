"""Screen ``auth``: sign in and out; every other page requires a signed-in operator."""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
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

from hub.panel import csrf, sessions, throttle
from hub.panel.db import get_db
from hub.panel.strings import t
from hub.panel.users import get_user, verify_user

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

# Endpoints reachable without signing in.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static", "enroll.redeem", "enroll.release_file"})
# What browsers drop from a URL before following it (WHATWG URL: tab, LF, CR anywhere,
# C0 controls and space at the ends), so "/\t/evil.example" would be "//evil.example".
_STRIPPED = re.compile(r"[\x00-\x20\x7f]")


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target or _STRIPPED.search(target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if (not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc):
        return default
    return target


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let only admins run ``view`` (reconfiguring, restarting or cleaning kiosks)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None or g.user["role"] != "admin":
            log.warning("refused %s %s to a non-admin", request.method, request.endpoint)
            if request.path.startswith("/api/"):
                return jsonify(error=t("auth.admin_required")), 403
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def client_addr() -> str:
    """The address sign-in throttling counts (the client's, behind a trusted proxy too)."""
    return request.remote_addr or "-"


@bp.route("/login", methods=("GET", "POST"))
def login() -> str | Response:
    """Sign-in form; the error does not say whether the name or the password was wrong."""
    if request.method == "GET" and g.user is not None:
        return redirect(url_for("devices.index"))
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        db = get_db()
        locked = throttle.attempt(db, username, client_addr())
        if locked:
            log.warning("sign-in refused: locked out (from %s)", client_addr())
            return render_template("auth/login.html", error=t("auth.locked", minutes=locked.minutes_left()),
                                   next=request.form.get("next", "")), 429
        if username and password and verify_user(db, username, password):
            throttle.succeeded(db, username, client_addr())
            target = safe_next(request.form.get("next"), url_for("devices.index"))
            sessions.purge(db, lifetime_s=_lifetime_s())
            session.clear()
            session["sid"] = sessions.start(db, username)
            session.permanent = True
            csrf.rotate()
            log.info("operator signed in")
            return redirect(target)
        log.warning("failed sign-in from %s", client_addr())
        error = t("auth.bad_credentials")
    return render_template(
        "auth/login.html", error=error, next=request.values.get("next", "")
    ), (401 if error else 200)


@bp.route("/logout", methods=("GET", "POST"))
def logout() -> str | Response:
    """GET asks for confirmation; POST (with the CSRF token) signs out."""
    if request.method == "POST":
        sid = session.get("sid")
        if sid:
            sessions.end(get_db(), sid)
        session.clear()
        flash(t("auth.logged_out"), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html")


def _lifetime_s() -> float:
    return current_app.permanent_session_lifetime.total_seconds()


def _load_user() -> Response | None:
    sid = session.get("sid")
    g.user = None
    if sid:
        username = sessions.resume(get_db(), str(sid), lifetime_s=_lifetime_s(),
                                   idle_s=float(current_app.config["SESSION_IDLE_S"]))
        g.user = get_user(get_db(), username) if username else None
        if g.user is None:  # ended, expired, or the account was removed
            session.pop("sid", None)
    if g.user is not None or request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if request.path.startswith("/api/"):
        return jsonify(error=t("auth.api_required")), 401
    flash(t("auth.required"), "info")
    # The path only: a query string may hold what was searched for (names, ID numbers),
    # which must not travel on into the login URL, the browser history or a log.
    return redirect(url_for("auth.login", next=request.path))


def init_app(app: Flask) -> None:
    """Require sign-in on every endpoint except the public ones."""
    app.before_request(_load_user)
