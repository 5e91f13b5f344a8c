"""Screen ``account`` (``/account``): change one's own password; admins lift sign-in lockouts."""
from __future__ import annotations

import logging
import time

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from hub.panel import csrf, sessions, throttle
from hub.panel.auth import admin_required, client_addr
from hub.panel.db import get_db
from hub.panel.exceptions import WeakPassword
from hub.panel.strings import t
from hub.panel.users import set_password, verify_user

log = logging.getLogger(__name__)
bp = Blueprint("account", __name__)


def _locks() -> list[dict]:
    """Names and addresses locked out now, soonest to end first."""
    now = time.time()
    rows = get_db().query("select key, locked_until from login_throttle where locked_until > ? "
                          "order by locked_until", [now])
    return [{"key": r["key"], "kind": r["key"].split(":", 1)[0], "name": r["key"].split(":", 1)[1],
             "minutes": max(1, round((r["locked_until"] - now) / 60))} for r in rows]


@bp.route("/account")
def index() -> str:
    """The password form, and for admins the list of lockouts."""
    locks = _locks() if g.user["role"] == "admin" else []
    return render_template("account/index.html", locks=locks)


@bp.route("/account/password", methods=["POST"])
def change_password() -> Response | tuple[str, int]:
    """Change one's own password: every other session of the account ends, this one goes on."""
    db, name = get_db(), g.user["username"]
    current = request.form.get("current", "")
    new, again = request.form.get("new", ""), request.form.get("again", "")
    # A stolen session must not become a way to guess the current password without limit.
    locked = throttle.attempt(db, name, client_addr())
    if locked or not verify_user(db, name, current):
        flash(t("auth.locked", minutes=locked.minutes_left()) if locked else t("account.wrong_current"), "error")
        return redirect(url_for("account.index"))
    throttle.succeeded(db, name, client_addr())
    if new != again:
        flash(t("account.mismatch"), "error")
        return redirect(url_for("account.index"))
    try:
        set_password(db, name, new)
    except WeakPassword as e:
        flash(e.message_vi, "error")
        return redirect(url_for("account.index"))
    session["sid"] = sessions.start(db, name)
    csrf.rotate()
    log.info("operator changed their password; their other sessions ended")
    flash(t("account.changed"), "info")
    return redirect(url_for("account.index"))


@bp.route("/account/unlock", methods=["POST"])
@admin_required
def unlock() -> Response:
    """Lift one lockout (a user name or a client address)."""
    kind, _, name = request.form.get("key", "").partition(":")
    lifted = throttle.unlock(get_db(), name) if kind == "user" else (
        throttle.unlock_address(get_db(), name) if kind == "addr" else False)
    log.info("lockout lifted by an admin: %s", kind if lifted else "nothing")
    flash(t("account.unlocked") if lifted else t("account.not_locked"), "info")
    return redirect(url_for("account.index"))
