"""Operator panel of the hub: Flask app factory, one blueprint per screen, Vietnamese UI behind sign-in."""
from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from typing import Any

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from hub.exceptions import HubError

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "STALE_AFTER_S": 90,
    "PAGE_SIZE": 50,
    "PANEL_LANG": "vi",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
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

    from hub.panel import auth, csrf, db, devices, documents, duplicates, pdf, search
    from hub.panel.strings import lang, t
    from hub.panel.timefmt import human, local_date, local_time

    db.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    for module in (auth, devices, documents, search, duplicates, pdf):
        app.register_blueprint(module.bp)
    from hub.panel import cases, export, menu
    app.register_blueprint(cases.bp)
    app.register_blueprint(export.bp)
    menu.init_app(app)

    app.jinja_env.globals.update(t=t, lang=lang)
    app.jinja_env.filters.update(human=human, local_time=local_time, local_date=local_date)
    _register_error_pages(app)
    return app


def _register_error_pages(app: Flask) -> None:
    from hub.panel.strings import t

    messages = {400: "error.bad_request", 404: "error.not_found", 405: "error.method"}

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException) -> tuple[str, int]:
        code = e.code or 500
        key = "error.csrf" if e.description == "csrf" else messages.get(code, "error.server")
        return render_template("errors/error.html", message=t(key), code=code), code

    @app.errorhandler(HubError)
    def hub_error(e: HubError) -> tuple[str, int]:
        log.error("panel request failed: %s", e)  # detail only; never document text
        return render_template("errors/error.html", message=e.message_vi, code=500), 500
