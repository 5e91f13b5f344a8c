"""Operator panel of the hub: Flask app factory, one blueprint per screen, Vietnamese UI behind sign-in."""
from __future__ import annotations

import logging
import os
import secrets
import time
from datetime import timedelta
from typing import Any

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from hub.exceptions import HubError

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "STALE_AFTER_S": 90,
    "PAGE_SIZE": 50,
    "PANEL_LANG": "vi",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Product decision: a session lasts one working day at most and ends after half an hour
    # without a request, so a panel left open at a reception desk does not stay usable.
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
    "SESSION_IDLE_S": 30 * 60,
    # The cookie's expiry is the absolute lifetime; renewing it on each request would not
    # extend anything (the server-side row decides) and would only resend the cookie.
    "SESSION_REFRESH_EACH_REQUEST": False,
    # Over TLS (directly or behind a TLS proxy): Secure cookie, HSTS ([panel] secure_cookies).
    "SECURE_COOKIES": False,
    # Behind a reverse proxy: trust one hop of X-Forwarded-For/-Proto ([panel] behind_proxy),
    # so throttling counts the client's address and not the proxy's.
    "BEHIND_PROXY": False,
    # Every form here is a few short fields; refuse large bodies before parsing them.
    "MAX_CONTENT_LENGTH": 64 * 1024,
}


def create_app(test_config: dict | None = None) -> Flask:
    """Build the panel; ``test_config`` replaces ``instance/config.py`` (keys DATABASE, SECRET_KEY, ...)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS, DATABASE=os.path.join(app.instance_path, "index.db"))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        # Without a configured key sessions do not survive a restart, but nobody can forge one.
        log.warning("SECRET_KEY not configured; using a random key for this process")
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    if app.config["SECURE_COOKIES"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, for
        # this host only, path /: a sibling subdomain or plain HTTP cannot plant one.
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    if app.config["BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]

    from hub.panel import auth, csrf, db, devices, documents, duplicates, enroll, pdf, search
    from hub.panel.strings import lang, t
    from hub.panel.timefmt import human, local_date, local_time

    db.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    for module in (auth, devices, documents, search, duplicates, pdf, enroll):
        app.register_blueprint(module.bp)
    from hub.panel import account, cases, export, menu, releases

    for module in (account, cases, export, releases):
        app.register_blueprint(module.bp)
    menu.init_app(app)

    app.jinja_env.globals.update(t=t, lang=lang)
    app.jinja_env.filters.update(human=human, local_time=local_time, local_date=local_date)
    _register_error_pages(app)
    _register_security_headers(app)
    return app


# Nothing inline: scripts and styles come from /static, so an injected <script> or
# style attribute in OCR text or a device name does not run even if escaping failed.
CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
access_log = logging.getLogger("hub.panel.access")


def _register_security_headers(app: Flask) -> None:
    @app.before_request
    def _start_clock() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _headers(resp: Response) -> Response:
        h = resp.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            # Pages show petitions and citizens' particulars: no copy in any cache.
            h["Cache-Control"] = "no-store"
        if app.config["SECURE_COOKIES"]:
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        # The path only, never the query string: a search holds names, ID and phone numbers.
        access_log.info("%s %s %s %d %.0fms", request.remote_addr or "-", request.method,
                        request.path, resp.status_code,
                        (time.perf_counter() - g.get("started", time.perf_counter())) * 1000)
        return resp


def _register_error_pages(app: Flask) -> None:
    from hub.panel.strings import t

    messages = {400: "error.bad_request", 403: "error.forbidden", 404: "error.not_found",
                405: "error.method"}

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> tuple[str, int]:
        code = e.code or 500
        key = "error.csrf" if e.description == "csrf" else messages.get(code, "error.server")
        return render_template("errors/error.html", message=t(key), code=code), code

    @app.errorhandler(HubError)
    def hub_error(e: HubError) -> tuple[str, int]:
        log.error("panel request failed: %s", e)  # detail only; never document text
        return render_template("errors/error.html", message=e.message_vi, code=500), 500
