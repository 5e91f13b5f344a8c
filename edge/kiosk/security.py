"""Who may use the kiosk screen: the appliance's own browser, nobody else.

- Host allow-list: a page reached under another name (DNS rebinding: evil.example resolving
  to 127.0.0.1) gets 403 before anything is read.
- A per-boot token (256 random bits) in ``<data_dir>/kiosk-token``, readable by the service
  user only (0600). The display launcher opens ``http://127.0.0.1:PORT/?token=<token>``;
  the token is exchanged for an HttpOnly, SameSite=Strict cookie and dropped from the URL.
  Every route needs the cookie: status, actions, thumbnails, full pages, receipts.
- POSTs also carry ``X-Kiosk-CSRF`` (a value derived from the token, written into the page),
  so no other site's form or script can act on the appliance.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

TOKEN_FILE = "kiosk-token"
COOKIE = "kiosk_session"
CSRF_HEADER = "X-Kiosk-CSRF"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def write_token(data_dir: Path) -> str:
    """Make this boot's token and write it (mode 0600) to ``data_dir/kiosk-token``."""
    token = secrets.token_urlsafe(32)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / TOKEN_FILE
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask or an older file's mode
        os.write(fd, token.encode() + b"\n")
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return token


def allowed_hosts(configured: str) -> frozenset[str]:
    """127.0.0.1, localhost, ::1 and the configured names (comma-separated)."""
    return LOCAL_HOSTS | {h.strip().lower() for h in configured.split(",") if h.strip()}


def host_name(host_header: str) -> str:
    """The name part of a Host header ("127.0.0.1:8081" → "127.0.0.1", "[::1]:80" → "::1")."""
    h = host_header.strip().lower()
    if h.startswith("["):
        return h[1:h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


def same(a: str | None, b: str) -> bool:
    """Constant-time comparison of a secret."""
    return bool(a) and hmac.compare_digest(str(a).encode(), b.encode())


def session_value(token: str) -> str:
    """The cookie's value for this boot's token."""
    return hmac.new(token.encode(), b"session", hashlib.sha256).hexdigest()


def csrf_value(token: str) -> str:
    """The value POSTs carry in ``X-Kiosk-CSRF``."""
    return hmac.new(token.encode(), b"csrf", hashlib.sha256).hexdigest()
