"""Panel sign-in as an attacker on the office LAN tries it: copied cookies, guessing, weak
passwords, open redirects, missing headers, operators doing admin work (issue 18, finding 5)."""
from __future__ import annotations

import logging
import re
import subprocess
import sys

import pytest

from hub.index import open_index
from hub.panel import create_app, throttle
from hub.panel.exceptions import WeakPassword
from hub.panel.users import create_user, set_password, verify_user

PASSWORD = "mat-khau-dung-1"
ADMIN_PASSWORD = "quan-tri-vien-9"


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "index.db"
    db = open_index(path)
    create_user(db, "canbo1", PASSWORD, display_name="Cán bộ")
    create_user(db, "quantri", ADMIN_PASSWORD, role="admin")
    db["devices"].insert({"device_id": "kiosk-01", "state": "online"})
    db.conn.close()
    return path


def _app(db_path, **config):
    return create_app({"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "k" * 32,
                       **config})


@pytest.fixture
def app(db_path):
    return _app(db_path)


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, username="canbo1", password=PASSWORD, next_=None):
    data = {"username": username, "password": password,
            "csrf_token": _token(client.get("/login").text)}
    if next_ is not None:
        data["next"] = next_
    return client.post("/login", data=data)


def _signed_in(app, username="canbo1", password=PASSWORD):
    client = app.test_client()
    assert _login(client, username, password).status_code == 302
    return client


def _copy(app, client):
    """A second browser holding a copy of ``client``'s session cookie (as a thief would)."""
    name = app.config["SESSION_COOKIE_NAME"]
    thief = app.test_client()
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def test_logout_revokes_a_copied_cookie(app):
    client = _signed_in(app)
    thief = _copy(app, client)
    assert thief.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": _token(client.get("/").text)}).status_code == 302
    r = thief.get("/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_password_change_revokes_every_session(app, db_path):
    first, second = _signed_in(app), _signed_in(app)
    set_password(open_index(db_path), "canbo1", "mat-khau-moi-2")
    for client in (first, second):
        assert client.get("/").status_code == 302
    assert _signed_in(app, password="mat-khau-moi-2").get("/").status_code == 200


def test_deleted_account_is_signed_out(app, db_path):
    client = _signed_in(app)
    out = subprocess.run([sys.executable, "-m", "hub", "user", "--db", str(db_path), "canbo1",
                          "--delete"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert client.get("/").status_code == 302
    assert not verify_user(open_index(db_path), "canbo1", PASSWORD)


def test_idle_and_absolute_limits_end_a_session(app, db_path):
    client = _signed_in(app)
    db = open_index(db_path)
    db.execute("update panel_sessions set last_seen = last_seen - 31 * 60")
    db.conn.commit()
    assert client.get("/").status_code == 302  # idle half an hour
    client = _signed_in(app)
    db.execute("update panel_sessions set created_at = created_at - 8 * 3600 - 1")
    db.conn.commit()
    assert client.get("/").status_code == 302  # signed in a working day ago, active or not


def test_cookie_is_not_renewed_on_each_request(app):
    client = _signed_in(app)
    assert "Set-Cookie" not in client.get("/documents").headers


def test_sixth_wrong_password_in_a_minute_locks_even_the_right_one(app, db_path):
    client = app.test_client()
    for _ in range(throttle.USER_LIMIT):
        assert _login(client, password="doan-mo-sai-1").status_code == 401
    locked = _login(client)
    assert locked.status_code == 429 and "quá nhiều lần" in locked.text
    assert "Set-Cookie" not in locked.headers or "session=;" in locked.headers["Set-Cookie"]
    assert client.get("/").status_code == 302
    # Another name from the same address still signs in: the lock is on the name.
    assert _login(app.test_client(), "quantri", ADMIN_PASSWORD).status_code == 302
    out = subprocess.run([sys.executable, "-m", "hub", "user", "--db", str(db_path), "canbo1",
                          "--unlock"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "unlocked" in out.stdout, out.stderr
    assert _login(client).status_code == 302


def test_parallel_guesses_do_not_slip_past_the_limit(app):
    """Guesses sent at once: each is counted before its password is checked."""
    from concurrent.futures import ThreadPoolExecutor

    clients = [app.test_client() for _ in range(6)]
    tokens = [_token(c.get("/login").text) for c in clients]

    def guess(i: int) -> int:
        c = clients[i % len(clients)]
        return c.post("/login", data={"username": "canbo1", "password": f"doan-mo-sai-{i}",
                                      "csrf_token": tokens[i % len(clients)]}).status_code

    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(guess, range(18)))
    assert codes.count(401) == throttle.USER_LIMIT and codes.count(429) == 18 - throttle.USER_LIMIT


def test_lockout_ends_by_itself(db_path):
    db = open_index(db_path)
    for i in range(throttle.USER_LIMIT):
        throttle.failed(db, "canbo1", "10.0.0.5", now=1000.0 + i)
    assert throttle.check(db, "canbo1", "10.0.0.9", now=1010.0)
    assert throttle.check(db, "canbo1", "10.0.0.9", now=1004.0 + throttle.LOCKOUT_S + 1) is None


def test_one_address_spraying_many_names_is_locked(db_path):
    db = open_index(db_path)
    for i in range(throttle.ADDR_LIMIT):
        throttle.failed(db, f"ten-{i}", "10.0.0.5", now=1000.0 + i)
    assert throttle.check(db, "canbo1", "10.0.0.5", now=1040.0)
    assert throttle.check(db, "canbo1", "10.0.0.6", now=1040.0) is None


def test_unknown_names_are_throttled_like_real_ones(app):
    client = app.test_client()
    for _ in range(throttle.USER_LIMIT):
        _login(client, username="khong-co-ai")
    assert _login(client, username="khong-co-ai").status_code == 429


@pytest.mark.parametrize("weak", ["12345678", "123456789", "1234567890", "matkhau123",
                                  "Password2024!", "qwertyuiop", "aaaaaaaaaaaa", "canbo1-2024x",
                                  "anhyeuem123", "ngan"])
def test_weak_passwords_are_refused(db_path, weak):
    with pytest.raises(WeakPassword):
        set_password(open_index(db_path), "canbo1", weak)


def test_cli_refuses_a_weak_password_and_takes_none_on_its_command_line(db_path):
    out = subprocess.run([sys.executable, "-m", "hub", "user", "--db", str(db_path), "moi"],
                         input="12345678\n", capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "password" in out.stderr
    out = subprocess.run([sys.executable, "-m", "hub", "user", "--db", str(db_path), "moi",
                          "--password", "mot-mat-khau-dai"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 2 and "--password" in out.stderr


@pytest.mark.parametrize("target", [
    "//evil.example/", "/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example/",
    "/\\evil.example/", "\\\\evil.example", "https://evil.example/", "javascript:alert(1)",
    " //evil.example/", "http:/evil.example", "/\x00/evil.example", "evil.example",
])
def test_next_must_be_a_local_path(app, target):
    r = _login(app.test_client(), next_=target)
    assert r.status_code == 302 and r.headers["Location"] in ("/", "http://localhost/"), target


def test_next_keeps_a_local_path(app):
    r = _login(app.test_client(), next_="/documents?page=2")
    assert r.headers["Location"] == "/documents?page=2"


def test_security_headers_on_every_page(app):
    client = _signed_in(app)
    for url in ("/login", "/", "/documents", "/search?q=001099012345", "/devices/kiosk-01"):
        h = client.get(url).headers
        assert "default-src 'self'" in h["Content-Security-Policy"], url
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"], url
        assert (h["X-Frame-Options"], h["X-Content-Type-Options"], h["Referrer-Policy"]) == (
            "DENY", "nosniff", "same-origin"), url
        assert h["Cache-Control"] == "no-store", url
        assert "Strict-Transport-Security" not in h  # plain HTTP: HSTS would mean nothing


def test_secure_cookies_behind_tls(db_path):
    app = _app(db_path, SECURE_COOKIES=True)
    client = app.test_client()
    r = _login(client)
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_need_no_inline_script_or_style(app):
    """The CSP forbids inline code; a page that relied on it would break in the browser."""
    client = _signed_in(app, "quantri", ADMIN_PASSWORD)
    for url in ("/login", "/", "/documents", "/search", "/duplicates", "/devices/kiosk-01",
                "/account"):
        html = client.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html), url


def test_search_terms_stay_out_of_the_access_log(app, caplog):
    client = _signed_in(app)
    with caplog.at_level(logging.INFO, logger="hub.panel.access"):
        client.get("/search?q=Nguy%E1%BB%85n+V%C4%83n+An+001099012345+0912345678")
    lines = [r.getMessage() for r in caplog.records if r.name == "hub.panel.access"]
    assert any(" GET /search 200 " in line for line in lines), lines
    assert not any(s in line for line in lines for s in ("001099012345", "0912345678", "q=", "?"))


def test_sign_in_redirect_does_not_carry_the_search(app):
    r = app.test_client().get("/search?q=001099012345")
    assert r.status_code == 302 and "001099012345" not in r.headers["Location"]


def test_operator_cannot_reconfigure_or_command_a_kiosk(app, db_path):
    for user, password, allowed in (("canbo1", PASSWORD, False), ("quantri", ADMIN_PASSWORD, True)):
        client = _signed_in(app, user, password)
        token = _token(client.get("/devices/kiosk-01").text)
        r1 = client.post("/devices/kiosk-01/config",
                         data={"metrics_interval_s": "15", "csrf_token": token})
        r2 = client.post("/devices/kiosk-01/command", data={"action": "restart", "confirmed": "1",
                                                                  "csrf_token": token})
        if allowed:
            assert (r1.status_code, r2.status_code) == (302, 302)
        else:
            assert (r1.status_code, r2.status_code) == (403, 403)
            assert "quyền" in r1.text
    db = open_index(db_path)
    assert db["device_config"].count == 1 and db["device_commands"].count == 1


def test_migration_makes_existing_accounts_admins(tmp_path):
    import sqlite_utils

    from hub.index import db as index_db

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    pending = [m for m in index_db.MIGRATIONS if m[0] != "013_panel_sessions"]
    old["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    for name, step in pending:
        step(old)
        old["_migrations"].insert({"name": name, "applied_at": "2026-01-01T00:00:00"})
    old["users"].insert({"username": "cu", "password_hash": "x", "display_name": "",
                         "created_at": "2026-01-01T00:00:00"})
    old.conn.commit()
    old.conn.close()
    assert open_index(path)["users"].get("cu")["role"] == "admin"


def test_changing_ones_password_on_the_panel_ends_the_other_sessions(app):
    here, elsewhere = _signed_in(app), _signed_in(app)
    token = _token(here.get("/account").text)
    weak = here.post("/account/password", data={"current": PASSWORD, "new": "matkhau123",
                                                "again": "matkhau123", "csrf_token": token},
                     follow_redirects=True)
    assert "ít nhất 10 ký tự" in weak.text and elsewhere.get("/").status_code == 200
    token = _token(here.get("/account").text)
    r = here.post("/account/password", data={"current": PASSWORD, "new": "mua-thu-ha-noi-7",
                                             "again": "mua-thu-ha-noi-7", "csrf_token": token},
                  follow_redirects=True)
    assert "Đã đổi mật khẩu" in r.text
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert _login(app.test_client(), password="mua-thu-ha-noi-7").status_code == 302


def test_an_admin_lifts_a_lockout_on_the_panel_and_an_operator_cannot(app):
    for _ in range(throttle.USER_LIMIT):
        _login(app.test_client(), password="doan-mo-sai-1")
    admin = _signed_in(app, "quantri", ADMIN_PASSWORD)
    page = admin.get("/account").text
    assert "user:canbo1" in page
    op_client = app.test_client()
    assert _login(op_client).status_code == 429
    token = _token(page)
    r = admin.post("/account/unlock", data={"key": "user:canbo1", "csrf_token": token},
                      follow_redirects=True)
    assert "Đã mở khóa" in r.text
    clerk = _signed_in(app)  # signs in again, but may not unlock anyone
    token = _token(clerk.get("/account").text)
    assert "user:" not in clerk.get("/account").text
    assert clerk.post("/account/unlock", data={"key": "user:quantri", "csrf_token": token}
                      ).status_code == 403


def test_behind_a_proxy_the_client_address_is_throttled_not_the_proxys(db_path):
    app = _app(db_path, BEHIND_PROXY=True)
    client = app.test_client()
    token = _token(client.get("/login").text)
    client.post("/login", data={"username": "canbo1", "password": "sai-sai-sai-1",
                                "csrf_token": token},
                headers={"X-Forwarded-For": "10.1.2.3", "X-Forwarded-Proto": "https"})
    keys = {r["key"] for r in open_index(db_path)["login_throttle"].rows}
    assert keys == {"user:canbo1", "addr:10.1.2.3"}
