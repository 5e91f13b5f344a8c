"""The wire contract between kiosks and the hub: topics, messages, JSON codec.

Both sides import this module and nothing else to talk to each other. It imports
only the standard library so the hub can load it without the imaging stack.

Delivery is at-least-once (MQTT QoS 1 plus a SQLite outbox), so every message
carries a ``msg_id`` and the hub is idempotent on it. ``schema`` is bumped on
any incompatible change; the hub rejects (and keeps aside) what it cannot read.
"""
from __future__ import annotations

import base64
import json
import math
import re
import uuid
from dataclasses import MISSING, asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar

SCHEMA = 1
TOPIC_ROOT = "kiosk"
DEVICE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,62}$")
KINDS = ("doc", "page", "status", "metrics", "cmdack")


class WireError(ValueError):
    """A message that does not follow this contract."""


def topic(device_id: str, kind: str) -> str:
    """Topic of a message ``kind`` sent by ``device_id``, e.g. ``kiosk/k01/doc``."""
    if kind not in KINDS:
        raise WireError(f"unknown message kind {kind!r}")
    return f"{TOPIC_ROOT}/{device_id}/{kind}"


def verdict_topic(device_id: str) -> str:
    """Topic where the hub answers a kiosk about its documents."""
    return f"hub/{device_id}/verdict"


def parse_topic(name: str) -> tuple[str, str]:
    """Split ``kiosk/<device>/<kind>`` into (device, kind) or raise WireError."""
    parts = name.split("/")
    if len(parts) != 3 or parts[0] != TOPIC_ROOT or parts[2] not in KINDS:
        raise WireError(f"topic {name!r} is not kiosk/<device>/<kind>")
    if not DEVICE_ID_RE.match(parts[1]):
        raise WireError(f"invalid device id in topic {name!r}")
    return parts[1], parts[2]


def new_id() -> str:
    """A fresh message or object id."""
    return uuid.uuid4().hex


def now_iso() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Fingerprint:
    """Duplicate fingerprint of a text; ``version`` fixes normalization and MinHash parameters."""

    version: int
    minhash: tuple[int, ...]
    text_sha256: str
    shingle_count: int


@dataclass(frozen=True)
class PageInfo:
    """What a document message says about one of its pages."""

    page_id: str
    index: int
    image_sha256: str
    skew_degrees: float
    ocr_confidence: float
    text: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Message:
    KIND: ClassVar[str] = ""
    msg_id: str
    device_id: str
    sent_at: str

    def to_json(self) -> bytes:
        """Encode as UTF-8 JSON with ``schema`` and ``kind``."""
        body = asdict(self)
        body["schema"] = SCHEMA
        body["kind"] = self.KIND
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class DocumentMessage(_Message):
    """A scanned document: its pages' text, fingerprint and metadata (images travel separately)."""

    KIND: ClassVar[str] = "doc"
    doc_id: str
    batch_id: str
    scanned_at: str
    page_count: int
    pages: tuple[PageInfo, ...]
    fingerprint: Fingerprint
    identity_keys: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Text of all pages, in order, separated by form feeds."""
        return "\f".join(p.text for p in sorted(self.pages, key=lambda p: p.index))


@dataclass(frozen=True)
class PageImageMessage(_Message):
    """One page image, compressed; ``image_sha256`` is the hash of ``image`` bytes."""

    KIND: ClassVar[str] = "page"
    doc_id: str
    page_id: str
    index: int
    mime: str
    width: int
    height: int
    dpi: int
    image_sha256: str
    image: bytes
    pdf: bytes = b""  # the page as a searchable PDF (image + invisible text), when OCR made one

    def to_json(self) -> bytes:
        body = asdict(self)
        body["image"] = base64.b64encode(self.image).decode("ascii")
        body["pdf"] = base64.b64encode(self.pdf).decode("ascii")
        body["schema"] = SCHEMA
        body["kind"] = self.KIND
        return json.dumps(body, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class StatusMessage(_Message):
    """Retained availability: ``online`` at connect, ``offline`` as last will or on clean exit."""

    KIND: ClassVar[str] = "status"
    state: str
    boot_id: str
    config_version: int = 0  # desired-config version the kiosk has applied (0 = none yet)
    # What the kiosk runs (``edge.inventory.software``): version, build, tesseract, tessdata,
    # fingerprint, os, python. Short strings or small integers only (``_software``).
    software: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MetricsMessage(_Message):
    """Periodic health of a kiosk."""

    KIND: ClassVar[str] = "metrics"
    uptime_s: float
    outbox_depth: int
    pages_today: int
    ocr_backlog: int
    scanner_state: str
    last_error: str = ""
    disk_free_mb: float = 0.0
    # Optional since the fleet-telemetry work; older kiosks leave them at these defaults.
    boot_id: str = ""
    interval_s: float = 0.0  # the hub marks the kiosk stale after three missed intervals
    outbox_oldest_s: float = 0.0
    failed_pages: int = 0
    ocr_ms_per_page: float = 0.0  # mean over the pages processed in the last hour
    scanner_error: str = ""  # code of the scanner's last error ("" when it is fine)
    temperature_c: float | None = None  # board temperature where the board has a sensor
    config_version: int = 0
    config_error: str = ""
    # End-to-end delivery (documents): taken by the broker, confirmed by the hub's ack.
    outbox_sent: int = 0
    outbox_delivered: int = 0
    oldest_undelivered_s: float = 0.0
    thread_restarts: int = 0  # threads the supervisor restarted since the agent started


MESSAGE_TYPES: dict[str, type[_Message]] = {
    m.KIND: m for m in (DocumentMessage, PageImageMessage, StatusMessage, MetricsMessage)
}
Message = DocumentMessage | PageImageMessage | StatusMessage | MetricsMessage


# -- validation: one schema per message kind ---------------------------------------------------
# Everything a kiosk (or, the other way, the hub) sends is checked field by field before it is
# built into a message: a value of the wrong type or out of range is refused here, so nothing
# downstream meets a string where it stores a number. The bounds are product limits (what a
# real kiosk can send, with room), not fitted values.
MAX_TEXT_BYTES = 200_000  # of OCR text per document (UTF-8); a dense A4 page is ~5 KB: 40 pages
MAX_PAGES = 500  # per document (a scanner batch is split into documents long before this)
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # the broker's max_packet_size; nothing bigger gets through
TOKEN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")  # ids: no quotes, spaces, CR/LF
_ENVELOPE = ("schema", "kind")


def _fail(path: str, what: str) -> WireError:
    return WireError(f"{path}: {what}")


def _str(max_len: int = 200, pattern: re.Pattern[str] | None = None):  # noqa: ANN202
    def check(value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise _fail(path, "must be a string")
        if len(value) > max_len:
            raise _fail(path, f"longer than {max_len} characters")
        if pattern is not None and not pattern.match(value):
            raise _fail(path, "has characters or a shape not allowed")
        return value
    return check


def _int(low: int, high: int):  # noqa: ANN202
    def check(value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(path, "must be an integer")
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise _fail(path, "must be an integer")
        if not low <= value <= high:
            raise _fail(path, f"outside {low}..{high}")
        return int(value)
    return check


def _num(low: float, high: float):  # noqa: ANN202
    def check(value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(path, "must be a number")
        if not math.isfinite(value) or not low <= value <= high:
            raise _fail(path, f"outside {low:g}..{high:g}")
        return float(value)
    return check


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, "must be true or false")
    return value


def _opt(inner):  # noqa: ANN001, ANN202
    def check(value: Any, path: str) -> Any:
        return None if value is None else inner(value, path)
    return check


def _enum(*allowed: str):  # noqa: ANN202
    def check(value: Any, path: str) -> str:
        if value not in allowed:
            raise _fail(path, f"must be one of {', '.join(allowed)}")
        return value
    return check


def _list(inner, max_items: int):  # noqa: ANN001, ANN202
    def check(value: Any, path: str) -> tuple:
        if not isinstance(value, list):
            raise _fail(path, "must be a list")
        if len(value) > max_items:
            raise _fail(path, f"more than {max_items} items")
        return tuple(inner(v, f"{path}[{i}]") for i, v in enumerate(value))
    return check


def _b64(max_bytes: int):  # noqa: ANN202
    def check(value: Any, path: str) -> bytes:
        if not isinstance(value, str) or len(value) > (max_bytes * 4) // 3 + 4:
            raise _fail(path, f"must be base64 of at most {max_bytes} bytes")
        try:
            return base64.b64decode(value, validate=True)
        except ValueError as e:
            raise _fail(path, "is not base64") from e
    return check


def _flat_object(max_keys: int, max_len: int):  # noqa: ANN202
    """A small object of scalars (``meta``): no nesting, no long strings."""
    key_check, str_check, num_check = _str(64), _str(max_len), _num(-1e15, 1e15)

    def check(value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _fail(path, "must be an object")
        if len(value) > max_keys:
            raise _fail(path, f"more than {max_keys} keys")
        out: dict[str, Any] = {}
        for k, v in value.items():
            key_check(k, f"{path} key")
            if v is None or isinstance(v, bool):
                out[k] = v
            elif isinstance(v, str):
                out[k] = str_check(v, f"{path}.{k}")
            elif isinstance(v, int):  # an integer stays one (a size, a count), within bounds
                out[k] = int(num_check(v, f"{path}.{k}"))
            else:
                out[k] = num_check(v, f"{path}.{k}")
        return out
    return check


def _petition_fields(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, "must be an object")
    out = _flat_object(16, 300)({k: v for k, v in value.items() if k != "confidence"}, path)
    if "confidence" in value:
        conf = _flat_object(16, 40)(value["confidence"], f"{path}.confidence")
        if any(not isinstance(v, float | int) or isinstance(v, bool) for v in conf.values()):
            raise _fail(f"{path}.confidence", "must hold numbers")
        out["confidence"] = conf
    return out


def _meta(value: Any, path: str) -> dict[str, Any]:
    """A document's ``meta``: flat scalars, except ``fields`` (the petition's structured fields,
    ``edge.fields``: short strings and one ``confidence`` object of numbers), re-validated in
    full by ``edge.fields.clean`` at the hub."""
    if not isinstance(value, dict):
        raise _fail(path, "must be an object")
    rest = {k: v for k, v in value.items() if k != "fields"}
    out = _flat_object(20, 500)(rest, path)
    if "fields" in value:
        # Fields that break the contract are dropped, not the letter: the hub stores the
        # document without them and logs why (``fields_error``).
        try:
            out["fields"] = _petition_fields(value["fields"], f"{path}.fields")
        except WireError as e:
            out["fields_error"] = str(e)[:200]
    return out


def _record(cls: type, schema: dict[str, Any]):  # noqa: ANN202
    """Check a JSON object against ``cls``'s fields: every field known, required ones present."""
    def check(value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise _fail(path, "must be an object")
        return cls(**_fields(cls, schema, value, path, ()))
    return check


def _default_check(annotation: str):  # noqa: ANN202
    # A field added to a message without an entry in SCHEMAS still gets a type and a bound
    # (str, int, float, bool, a tuple/list of strings, a flat object); give anything richer
    # an entry in SCHEMAS.
    base = {"str": _str(1000), "int": _int(-(2**53), 2**53), "float": _num(-1e15, 1e15),
            "bool": _bool}
    name = annotation.replace(" ", "")
    optional = name.endswith("|None")
    name = name[:-5] if optional else name
    if name.startswith(("tuple[str", "list[str")):
        check = _list(_str(1000), 1000)
    else:
        check = base.get(name, _flat_object(20, 1000))
    return _opt(check) if optional else check


def _fields(cls: type, schema: dict[str, Any], data: dict[str, Any], path: str,
            envelope: tuple[str, ...]) -> dict[str, Any]:
    names = {f.name: f for f in fields(cls)}
    extra = sorted(k for k in data if k not in names and k not in envelope)
    if extra:
        raise _fail(path, f"unknown field(s) {', '.join(map(str, extra))[:200]}")
    missing = sorted(n for n, f in names.items() if n not in data and f.default is MISSING
                     and f.default_factory is MISSING)
    if missing:
        raise _fail(path, f"lacks {', '.join(missing)}")
    out = {}
    for name, f in names.items():
        if name in data:
            check = schema.get(name) or _default_check(str(f.type))
            out[name] = check(data[name], f"{path}.{name}")
    return out


_ID = _str(64, TOKEN_RE)
_TIME = _str(40)
_SHA = _str(64)
_COUNT = _int(0, 10**9)
_FINGERPRINT = _record(Fingerprint, {
    "version": _int(0, 10**6), "minhash": _list(_int(0, 2**64 - 1), 4096), "text_sha256": _SHA,
    "shingle_count": _COUNT,
})
_PAGE_INFO = _record(PageInfo, {
    "page_id": _ID, "index": _int(0, MAX_PAGES - 1), "image_sha256": _SHA,
    "skew_degrees": _num(-360, 360), "ocr_confidence": _num(-1, 100),
    "text": _str(MAX_TEXT_BYTES), "flags": _list(_str(64), 32),
})
SCHEMAS: dict[type, dict[str, Any]] = {
    DocumentMessage: {
        "doc_id": _ID, "batch_id": _ID, "scanned_at": _TIME, "page_count": _int(1, MAX_PAGES),
        "pages": _list(_PAGE_INFO, MAX_PAGES), "fingerprint": _FINGERPRINT,
        "identity_keys": _list(_str(100), 1000), "meta": _meta,
    },
    PageImageMessage: {
        "doc_id": _ID, "page_id": _ID, "index": _int(0, MAX_PAGES - 1), "mime": _str(100),
        "width": _int(0, 100_000), "height": _int(0, 100_000), "dpi": _int(0, 10_000),
        "image_sha256": _SHA, "image": _b64(MAX_IMAGE_BYTES), "pdf": _b64(MAX_IMAGE_BYTES),
    },
    StatusMessage: {"state": _enum("online", "offline"), "boot_id": _str(64),
                    "config_version": _int(0, 2**31), "software": lambda v, p: _software(v, p)},
    MetricsMessage: {
        "uptime_s": _num(0, 1e10), "outbox_depth": _COUNT, "pages_today": _int(0, 10**7),
        "ocr_backlog": _COUNT, "scanner_state": _str(40), "last_error": _str(1000),
        "disk_free_mb": _num(0, 1e10), "boot_id": _str(64), "interval_s": _num(0, 86_400),
        "outbox_oldest_s": _num(0, 1e10), "failed_pages": _COUNT,
        "ocr_ms_per_page": _num(0, 1e8), "scanner_error": _str(100),
        "temperature_c": _opt(_num(-100, 200)), "config_version": _int(0, 2**31),
        "config_error": _str(1000),
    },
}
_ENVELOPE_SCHEMA = {"msg_id": _ID, "device_id": _str(63, DEVICE_ID_RE), "sent_at": _TIME}


def _no_constant(name: str) -> Any:
    raise WireError(f"{name} is not a number this contract allows")


SOFTWARE_KEYS = ("version", "build", "tesseract", "tessdata", "fingerprint", "os", "python",
                 "update")  # update: the last update's state, e.g. "rolled_back 0.2.0: …"


def _software(value: Any, path: str = "software") -> dict[str, Any]:
    """A status message's software inventory: known keys, short strings or small integers."""
    if not isinstance(value, dict):
        raise WireError(f"{path} is not an object")
    out: dict[str, Any] = {}
    for key in SOFTWARE_KEYS:
        item = value.get(key)
        if item is None:
            continue
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise WireError(f"software.{key} is not a string or an integer")
        if isinstance(item, int) and not 0 <= item < 2**31:
            raise WireError(f"software.{key} is out of range")
        if isinstance(item, str) and (len(item) > 80 or not item.isprintable()):
            raise WireError(f"software.{key} is too long or not printable")
        out[key] = item
    return out


def from_json(payload: bytes, *, kind: str | None = None) -> Message:
    """Decode a message; raise WireError on anything that does not follow the contract.

    Every field is checked against its kind's schema (``SCHEMAS``): type, range, length;
    unknown kinds and unknown fields are refused, and so are NaN, Infinity and JSON nested
    deeper than a message can be.
    """
    try:
        data = json.loads(payload.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WireError(f"payload is not UTF-8 JSON: {e}"[:300]) from e
    except RecursionError as e:
        raise WireError("payload is nested too deeply") from e
    except ValueError as e:  # an integer of thousands of digits
        raise WireError(f"payload holds an unreadable number: {e}"[:300]) from e
    if not isinstance(data, dict):
        raise WireError("payload is not a JSON object")
    if data.get("schema") != SCHEMA:
        raise WireError(f"unsupported schema {str(data.get('schema'))[:20]!r} (this side reads {SCHEMA})")
    got = data.get("kind")
    if kind is not None and got != kind:
        raise WireError(f"kind {str(got)[:20]!r} sent on a {kind!r} topic")
    cls = MESSAGE_TYPES.get(got) if isinstance(got, str) else None
    if cls is None:
        raise WireError(f"unknown kind {str(got)[:20]!r}")
    schema = {**_ENVELOPE_SCHEMA, **SCHEMAS.get(cls, {})}
    values = _fields(cls, schema, data, cls.__name__, _ENVELOPE)
    if cls is DocumentMessage:
        if values["page_count"] != len(values["pages"]):
            raise WireError("page_count does not match pages")
        if sum(len(p.text.encode("utf-8")) for p in values["pages"]) > MAX_TEXT_BYTES:
            raise WireError(f"document text is longer than {MAX_TEXT_BYTES // 1000} KB")
    try:
        return cls(**values)
    except TypeError as e:
        raise WireError(f"{cls.__name__}: {e}") from e


# -- hub → kiosk control (retained desired config, non-retained commands) --------------------

CONFIG_KEYS: dict[str, type] = {
    # key -> type of the value; what a kiosk can be told to change without a visit
    "metrics_interval_s": float,
    "spool_retention_days": float,
    "spool_min_free_mb": float,
    "ocr_low_confidence": float,
    "scanner_dpi": int,
}
# send_metrics: report now; resend_outbox: publish every unacknowledged message again now;
# prune_spool: drop delivered page images now; restart: the service restarts the agent.
COMMANDS = ("send_metrics", "resend_outbox", "prune_spool", "restart", "update")
# update: install a release side by side and switch to it when idle (``edge.update``); its
# ``args`` are checked by ``check_update_args``.


def config_topic(device_id: str) -> str:
    """Retained topic holding the desired configuration of a kiosk."""
    return f"hub/{device_id}/config"


def command_topic(device_id: str) -> str:
    """Topic of one-off operator commands to a kiosk (never retained)."""
    return f"hub/{device_id}/cmd"


@dataclass(frozen=True)
class DesiredConfig(_Message):
    """Settings the hub wants a kiosk to run with; ``version`` grows with every change."""

    KIND: ClassVar[str] = "config"
    version: int
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Command(_Message):
    """An operator action for one kiosk; ignored after ``expires_at`` (queued while offline)."""

    KIND: ClassVar[str] = "command"
    command_id: str
    action: str
    expires_at: str
    issued_by: str = ""
    args: dict[str, Any] = field(default_factory=dict)  # only ``update`` has any


@dataclass(frozen=True)
class CommandResult(_Message):
    """The kiosk's answer to a command (``kiosk/<id>/cmdack``)."""

    KIND: ClassVar[str] = "cmdack"
    command_id: str
    action: str
    ok: bool
    detail: str = ""


MESSAGE_TYPES.update({m.KIND: m for m in (DesiredConfig, Command, CommandResult)})
SCHEMAS.update({
    DesiredConfig: {"version": _int(0, 2**31), "settings": _flat_object(len(CONFIG_KEYS) + 8, 100)},
    Command: {"command_id": _ID, "action": _str(40), "expires_at": _TIME, "issued_by": _str(100),
              "args": _flat_object(8, 500)},  # an update's (check_update_args in parse_control)
    CommandResult: {"command_id": _ID, "action": _str(40), "ok": _bool, "detail": _str(2000)},
})


# What each setting may be, for the panel (which refuses it with the field named), the
# ingester (which publishes it) and the kiosk (which applies it): one table, one validator.
# Product limits: what the kiosk can run with, e.g. a scanner's 50-1200 dpi.
SETTING_LIMITS: dict[str, tuple[float, float]] = {
    "metrics_interval_s": (1, 3600),
    "spool_retention_days": (0, 365),
    "spool_min_free_mb": (10, 1_000_000),
    "ocr_low_confidence": (0, 100),
    "scanner_dpi": (50, 1200),
}


class SettingError(WireError):
    """One desired-config setting refused; ``key`` names it (``""`` for the object itself)."""

    def __init__(self, detail: str, *, key: str = "", low: float | None = None,
                 high: float | None = None) -> None:
        super().__init__(detail)
        self.key, self.low, self.high = key, low, high


def check_settings(settings: Any) -> dict[str, Any]:
    """Validate desired-config settings; return them with coerced values or raise SettingError."""
    if not isinstance(settings, dict):
        raise SettingError("settings is not an object")
    out: dict[str, Any] = {}
    for key, value in settings.items():
        typ = CONFIG_KEYS.get(key)
        if typ is None:
            raise SettingError(f"unknown setting {str(key)[:40]!r}; allowed: "
                               f"{', '.join(sorted(CONFIG_KEYS))}", key=str(key)[:40])
        low, high = SETTING_LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise SettingError(f"setting {key!r} must be a number", key=key, low=low, high=high)
        if not low <= value <= high or (typ is int and int(value) != value):
            raise SettingError(f"setting {key!r} = {value!r} is outside {low:g}..{high:g}"
                               + (" (a whole number)" if typ is int else ""),
                               key=key, low=low, high=high)
        out[key] = typ(value)
    return out


RELEASE_VERSION_RE = re.compile(r"^[0-9][0-9A-Za-z.+_-]{0,39}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
MAX_RELEASE_BYTES = 64 * 2**20


def check_update_args(args: Any) -> dict[str, Any]:
    """An update command's arguments: ``version``, ``url`` (http/https), ``sha256``, ``size``."""
    if not isinstance(args, dict):
        raise WireError("update arguments are not an object")
    version, url, sha, size = (args.get(k) for k in ("version", "url", "sha256", "size"))
    if not isinstance(version, str) or not RELEASE_VERSION_RE.match(version):
        raise WireError("update version is missing or malformed")
    if (not isinstance(url, str) or len(url) > 500 or not url.startswith(("http://", "https://"))
            or any(c in url for c in "\r\n\0 ")):
        raise WireError("update url is missing or not http(s)")
    if not isinstance(sha, str) or not SHA256_RE.match(sha):
        raise WireError("update sha256 is missing or malformed")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= MAX_RELEASE_BYTES:
        raise WireError(f"update size must be 1..{MAX_RELEASE_BYTES} bytes")
    return {"version": version, "url": url, "sha256": sha, "size": size}


def parse_control(payload: bytes) -> DesiredConfig | Command:
    """Decode a hub→kiosk message (desired config or command), validated."""
    msg = from_json(payload)
    if isinstance(msg, DesiredConfig):
        if not isinstance(msg.version, int) or msg.version < 1:
            raise WireError("config version must be a positive integer")
        return DesiredConfig(msg_id=msg.msg_id, device_id=msg.device_id, sent_at=msg.sent_at,
                             version=msg.version, settings=check_settings(msg.settings))
    if isinstance(msg, Command):
        if msg.action not in COMMANDS:
            raise WireError(f"unknown command {msg.action!r}")
        args = check_update_args(msg.args) if msg.action == "update" else {}
        if msg.action != "update" and msg.args:
            raise WireError(f"command {msg.action!r} takes no arguments")
        return Command(msg_id=msg.msg_id, device_id=msg.device_id, sent_at=msg.sent_at,
                       command_id=msg.command_id, action=msg.action, expires_at=msg.expires_at,
                       issued_by=msg.issued_by, args=args)
    raise WireError(f"{msg.KIND!r} is not a hub→kiosk message")


# -- hub → kiosk end-to-end acknowledgement -----------------------------------------------------

def ack_topic(device_id: str) -> str:
    """Topic where the hub lists a kiosk's messages it has committed to the city index."""
    return f"hub/{device_id}/ack"


@dataclass(frozen=True)
class HubAck(_Message):
    """Messages of one kiosk the hub has committed (``msg_ids``), published only after the commit.

    ``rejected`` lists those it kept aside as not following the contract: committed too (the
    kiosk stops re-sending them), but worth a log line on the kiosk. ``resend`` says the hub
    has (re)connected and taken everything the broker held for it: what the kiosk still has
    unconfirmed was lost on the way and goes out again now.
    """

    KIND: ClassVar[str] = "ack"
    msg_ids: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    resend: bool = False


MESSAGE_TYPES[HubAck.KIND] = HubAck


def parse_ack(payload: bytes) -> HubAck:
    """Decode a hub acknowledgement, validated (lists of non-empty message ids)."""
    msg = from_json(payload, kind=HubAck.KIND)
    assert isinstance(msg, HubAck)
    lists = []
    for name in ("msg_ids", "rejected"):
        value = getattr(msg, name)
        if not isinstance(value, list | tuple) or not all(isinstance(m, str) and m for m in value):
            raise WireError(f"ack {name} is not a list of message ids")
        lists.append(tuple(value))
    if not isinstance(msg.resend, bool):
        raise WireError("ack resend is not true/false")
    return HubAck(msg_id=msg.msg_id, device_id=msg.device_id, sent_at=msg.sent_at,
                  msg_ids=lists[0], rejected=lists[1], resend=msg.resend)
