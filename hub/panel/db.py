"""The city index connection of one request, kept on ``flask.g`` and closed on teardown."""
from __future__ import annotations

import sqlite_utils
from flask import Flask, current_app, g

from hub.index import open_index


def get_db() -> sqlite_utils.Database:
    """The index opened for this request (opened on first use)."""
    if "db" not in g:
        g.db = open_index(current_app.config["DATABASE"])
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's index connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app: Flask) -> None:
    """Register the teardown that closes the connection."""
    app.teardown_appcontext(close_db)
