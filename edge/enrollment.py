"""Enrolling a kiosk in one step: the one-time code, its keys, and the sealed credentials.

The hub (``python -m hub device add ID``) registers the kiosk on the broker, seals its
credentials (broker settings and password, and its certificate when the fleet uses TLS)
under a key derived from a fresh 80-bit secret, and shows a one-time code::

    DT1-K07-<device id, secret, hub address, CA fingerprint in base32 groups>

On the appliance, ``python -m edge enroll`` reads the code (from the prompt or standard input,
never the command line), proves it knows the secret to the hub's ``/enroll`` endpoint, and
opens the sealed envelope it gets back. The envelope is authenticated encryption (AES-GCM,
the device id as associated data), so a man in the middle, or a fake hub, learns nothing and
cannot hand over credentials of its own: only the hub that made the code can seal what the
kiosk accepts, whether the transport is HTTPS or plain HTTP on the office LAN. When the
fleet uses TLS, the fleet CA inside the envelope must match the fingerprint in the code, so
the kiosk pins it without trusting anything on first use. The hub keeps only a hash of the
proof and the sealed envelope, never the secret; a code is used once and expires.

This module is the contract both sides import (codec, key derivation, seal/open) plus the
kiosk's HTTP client; it holds no hub logic.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import struct
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge.exceptions import CodedError
from edge.wire import DEVICE_ID_RE

PREFIX = "DT1"
SECRET_BYTES = 10  # 80 bits: far beyond guessing at the endpoint's rate limit
HTTP_TIMEOUT_S = 20.0
_INFO = b"donthu-enroll-v1"


class EnrollError(CodedError):
    """An enrollment that cannot go on; ``code`` is stable, ``message_vi`` is for the screen."""

    exit_code = 2

    def __init__(self, detail: str, *, code: str, message_vi: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail, self.code, self.message_vi, self.status = detail, code, message_vi, status

    def __str__(self) -> str:
        return f"[{self.code}] {self.detail}"


@dataclass(frozen=True)
class Code:
    """What a one-time enrollment code carries."""

    device_id: str
    secret: bytes
    hub_url: str
    ca_fingerprint: str = ""  # sha256 hex of the fleet CA certificate (DER); "" without TLS

    def text(self) -> str:
        """The code as a person copies it: groups of five base32 letters."""
        url = self.hub_url.encode("utf-8")
        dev = self.device_id.encode("ascii")
        fp = bytes.fromhex(self.ca_fingerprint) if self.ca_fingerprint else b""
        raw = struct.pack("B", len(dev)) + dev + self.secret + struct.pack("B", len(fp)) + fp
        raw += struct.pack(">H", len(url)) + url
        raw += hashlib.sha256(raw).digest()[:2]  # a typo is caught here, not at the hub
        body = base64.b32encode(raw).decode("ascii").rstrip("=")
        return "-".join([PREFIX, *(body[i:i + 5] for i in range(0, len(body), 5))])


def new_code(device_id: str, *, hub_url: str, ca_fingerprint: str = "") -> Code:
    """A fresh code with a random secret."""
    return Code(device_id, secrets.token_bytes(SECRET_BYTES), hub_url.rstrip("/"), ca_fingerprint)


def parse_code(text: str) -> Code:
    """Read a code typed or pasted by a technician (spaces, case and dashes do not matter)."""
    bad = EnrollError("the enrollment code is not valid (mistyped or cut short)", code="bad_code",
                      message_vi="Mã đăng ký không hợp lệ (gõ sai hoặc thiếu). Hãy kiểm tra lại mã.")
    cleaned = "".join(text.split()).upper()
    if not cleaned.startswith(PREFIX + "-"):
        raise bad
    body = cleaned[len(PREFIX) + 1:].replace("-", "")
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
        n = raw[0]
        dev = raw[1:1 + n].decode("ascii")
        pos = 1 + n
        secret = raw[pos:pos + SECRET_BYTES]
        pos += SECRET_BYTES
        fp_len = raw[pos]
        fp = raw[pos + 1:pos + 1 + fp_len]
        pos += 1 + fp_len
        (url_len,) = struct.unpack(">H", raw[pos:pos + 2])
        url = raw[pos + 2:pos + 2 + url_len].decode("utf-8")
        pos += 2 + url_len
        check = raw[pos:pos + 2]
    except (ValueError, IndexError, struct.error, UnicodeDecodeError) as e:
        raise bad from e
    if (len(secret) != SECRET_BYTES or len(check) != 2 or pos + 2 != len(raw)
            or hashlib.sha256(raw[:pos]).digest()[:2] != check or not DEVICE_ID_RE.match(dev)):
        raise bad
    return Code(dev, secret, url, fp.hex())


def _keys(code: Code) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    okm = HKDF(algorithm=hashes.SHA256(), length=64, salt=code.device_id.encode("ascii"),
               info=_INFO).derive(code.secret)
    return okm[:32], okm[32:]


def proof(code: Code) -> str:
    """What the kiosk sends to show it holds the code (the secret itself never travels)."""
    _, auth = _keys(code)
    return hmac.new(auth, b"enroll|" + code.device_id.encode("ascii"), hashlib.sha256).hexdigest()


def proof_digest(value: str) -> str:
    """What the hub stores of a proof: its hash, so a copy of the index cannot enroll."""
    return hashlib.sha256(value.encode("ascii", "replace")).hexdigest()


def seal(code: Code, bundle: dict[str, Any]) -> str:
    """Encrypt and authenticate ``bundle`` for the kiosk holding ``code`` (base64 text)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    enc, _ = _keys(code)
    nonce = os.urandom(12)
    data = json.dumps(bundle, ensure_ascii=False).encode("utf-8")
    return base64.b64encode(nonce + AESGCM(enc).encrypt(nonce, data, code.device_id.encode())).decode()


def open_sealed(code: Code, sealed: str) -> dict[str, Any]:
    """Decrypt what the hub sealed; refuse anything another party made or changed."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    enc, _ = _keys(code)
    try:
        raw = base64.b64decode(sealed, validate=True)
        data = AESGCM(enc).decrypt(raw[:12], raw[12:], code.device_id.encode())
        bundle = json.loads(data.decode("utf-8"))
    except (ValueError, InvalidTag) as e:
        raise EnrollError("the hub's answer was not sealed for this code: not the real hub, or "
                          "tampered with on the way", code="not_the_hub",
                          message_vi="Câu trả lời không phải của máy chủ thật (hoặc đã bị sửa "
                                     "trên đường truyền). Không đăng ký.") from e
    if not isinstance(bundle, dict) or bundle.get("device_id") != code.device_id:
        raise EnrollError("the sealed credentials are for another device", code="not_the_hub",
                          message_vi="Thông tin đăng ký không dành cho thiết bị này.")
    ca = bundle.get("ca_pem") or ""
    if code.ca_fingerprint:
        if not ca or ca_fingerprint(ca) != code.ca_fingerprint:
            raise EnrollError("the fleet CA in the answer does not match the code's fingerprint",
                              code="ca_mismatch",
                              message_vi="Chứng chỉ gốc của hệ thống không khớp với mã. Không đăng ký.")
    return bundle


def ca_fingerprint(pem: str) -> str:
    """sha256 (hex) of a PEM certificate's DER bytes."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def request_credentials(code: Code, *, hub_url: str = "", timeout_s: float = HTTP_TIMEOUT_S) -> dict[str, Any]:
    """Ask the hub's ``/enroll`` endpoint for the sealed credentials and open them."""
    url = (hub_url or code.hub_url).rstrip("/") + "/enroll"
    if not url.startswith(("http://", "https://")):
        raise EnrollError(f"hub address {url!r} is not http(s)", code="bad_hub",
                          message_vi="Địa chỉ máy chủ không hợp lệ (cần http:// hoặc https://).")
    body = json.dumps({"device_id": code.device_id, "proof": proof(code)}).encode()
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310 — http(s) checked above
            answer = json.loads(resp.read(1 << 20).decode("utf-8"))
    except urllib.error.HTTPError as e:
        try:
            err = json.loads(e.read(1 << 16).decode("utf-8"))
        except (ValueError, OSError):
            err = {}
        raise EnrollError(f"the hub refused the code: {err.get('error', e.code)}",
                          code=str(err.get("error", "refused")),
                          message_vi=str(err.get("message_vi") or "Máy chủ từ chối mã đăng ký."),
                          status=e.code) from e
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise EnrollError(f"cannot reach the hub at {url}: {e}", code="hub_unreachable",
                          message_vi="Không kết nối được tới máy chủ. Kiểm tra mạng và địa chỉ.") from e
    if not isinstance(answer, dict) or not isinstance(answer.get("sealed"), str):
        raise EnrollError("the hub's answer is not an enrollment", code="not_the_hub",
                          message_vi="Câu trả lời không phải của máy chủ thật. Không đăng ký.")
    return open_sealed(code, answer["sealed"])


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _write(path: Path, text: str, *, mode: int, owner: tuple[int, int] | None) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, mode)
    if owner is not None:
        os.chown(tmp, *owner)
    os.replace(tmp, path)


def _owner(user: str) -> tuple[int, int] | None:
    """(uid, gid) of ``user`` when running as root and the user exists, else None."""
    if not user or os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def write_config(bundle: dict[str, Any], *, config_dir: Path, data_dir: Path,
                 owner: str = "donthu-edge") -> Path:
    """Write ``edge.toml`` and the kiosk's secrets (password, key: 0600, the service user's)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    ids = _owner(owner)
    dev = bundle["device_id"]
    password_file = config_dir / f"{dev}.password"
    _write(password_file, bundle["password"] + "\n", mode=0o600, owner=ids)
    mqtt = [f"host = {_toml(str(bundle['broker_host']))}", f"port = {int(bundle['broker_port'])}",
            f"username = {_toml(dev)}", f"password_file = {_toml(str(password_file))}"]
    if bundle.get("tls"):
        paths = {name: config_dir / f"{dev}.{ext}" for name, ext in
                 (("ca_file", "ca.crt"), ("cert_file", "crt"), ("key_file", "key"))}
        _write(paths["ca_file"], bundle["ca_pem"], mode=0o644, owner=ids)
        _write(paths["cert_file"], bundle["cert_pem"], mode=0o644, owner=ids)
        _write(paths["key_file"], bundle["key_pem"], mode=0o600, owner=ids)
        mqtt += ["tls = true", *(f"{k} = {_toml(str(v))}" for k, v in paths.items())]
    text = "\n".join([
        "# Kiosk appliance config, written by `python -m edge enroll` from the hub's sealed answer.",
        "[device]", f"id = {_toml(dev)}", f"name = {_toml(bundle.get('name') or f'Kiosk {dev}')}",
        f"data_dir = {_toml(str(data_dir))}", "",
        "[scanner]", 'source = "sane"        # "sane" or "hotfolder"', 'device = ""', "dpi = 300",
        'hotfolder = "/srv/donthu/scan-in"', "",
        "[mqtt]", *mqtt, "",
    ])
    config = config_dir / "edge.toml"
    _write(config, text, mode=0o640, owner=(0, ids[1]) if ids else None)
    return config
