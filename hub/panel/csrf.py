"""Per-session CSRF token: put in every POST form, checked on every POST before the view runs."""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session

FIELD = "csrf_token"
# JSON endpoints with no session and no form: a kiosk's enrollment (``hub.panel.enroll``).
EXEMPT_ENDPOINTS = frozenset({"enroll.redeem"})


def csrf_token() -> str:
    """The session's token, created on first use (call it from templates)."""
    token = session.get(FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[FIELD] = token
    return token


def rotate() -> None:
    """Issue a fresh token (after login, so a token seen before login is worthless)."""
    session[FIELD] = secrets.token_urlsafe(32)


def _check() -> None:
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or request.endpoint in EXEMPT_ENDPOINTS:
        return
    expected = session.get(FIELD)
    sent = request.form.get(FIELD) or request.headers.get("X-CSRF-Token", "")
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        abort(400, description="csrf")


def init_app(app: Flask) -> None:
    """Check the token on every unsafe request and expose ``csrf_token()`` to templates."""
    app.before_request(_check)
    app.jinja_env.globals["csrf_token"] = csrf_token
