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
import re
import uuid
from dataclasses import asdict, dataclass, field, fields
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


def _build(cls: type, data: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    missing = [f.name for f in fields(cls) if f.name not in data and f.default is f.default_factory]
    if missing:
        raise WireError(f"{cls.__name__} lacks {', '.join(sorted(missing))}")
    try:
        return cls(**{k: v for k, v in data.items() if k in names})
    except TypeError as e:
        raise WireError(f"{cls.__name__}: {e}") from e


def from_json(payload: bytes, *, kind: str | None = None) -> Message:
    """Decode a message; raise WireError on anything that does not follow the contract."""
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise WireError(f"payload is not UTF-8 JSON: {e}") from e
    if not isinstance(data, dict):
        raise WireError("payload is not a JSON object")
    if data.get("schema") != SCHEMA:
        raise WireError(f"unsupported schema {data.get('schema')!r} (this side reads {SCHEMA})")
    got = data.get("kind")
    if kind is not None and got != kind:
        raise WireError(f"kind {got!r} sent on a {kind!r} topic")
    cls = MESSAGE_TYPES.get(got)
    if cls is None:
        raise WireError(f"unknown kind {got!r}")
    if not isinstance(data.get("msg_id"), str) or not data["msg_id"]:
        raise WireError("msg_id missing")
    if not isinstance(data.get("device_id"), str) or not DEVICE_ID_RE.match(data["device_id"]):
        raise WireError("device_id missing or invalid")
    try:
        if cls is DocumentMessage:
            data["fingerprint"] = _build(Fingerprint, data["fingerprint"])
            data["fingerprint"] = Fingerprint(
                version=int(data["fingerprint"].version),
                minhash=tuple(int(x) for x in data["fingerprint"].minhash),
                text_sha256=str(data["fingerprint"].text_sha256),
                shingle_count=int(data["fingerprint"].shingle_count),
            )
            pages = []
            for p in data["pages"]:
                info = _build(PageInfo, p)
                pages.append(
                    PageInfo(
                        page_id=str(info.page_id),
                        index=int(info.index),
                        image_sha256=str(info.image_sha256),
                        skew_degrees=float(info.skew_degrees),
                        ocr_confidence=float(info.ocr_confidence),
                        text=str(info.text),
                        flags=tuple(str(f) for f in info.flags),
                    )
                )
            data["pages"] = tuple(pages)
            data["identity_keys"] = tuple(str(k) for k in data.get("identity_keys", ()))
            if int(data["page_count"]) != len(pages):
                raise WireError("page_count does not match pages")
            if not isinstance(data.get("meta", {}), dict):
                raise WireError("meta is not an object")
        elif cls is PageImageMessage:
            data["image"] = base64.b64decode(data["image"], validate=True)
            data["pdf"] = base64.b64decode(data.get("pdf", ""), validate=True)
        elif cls is StatusMessage and data.get("state") not in ("online", "offline"):
            raise WireError(f"status state {data.get('state')!r} is not online/offline")
    except WireError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise WireError(f"{cls.__name__}: malformed field: {e}") from e
    return _build(cls, data)


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
COMMANDS = ("send_metrics", "resend_outbox", "prune_spool", "restart")


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


@dataclass(frozen=True)
class CommandResult(_Message):
    """The kiosk's answer to a command (``kiosk/<id>/cmdack``)."""

    KIND: ClassVar[str] = "cmdack"
    command_id: str
    action: str
    ok: bool
    detail: str = ""


MESSAGE_TYPES.update({m.KIND: m for m in (DesiredConfig, Command, CommandResult)})


def check_settings(settings: Any) -> dict[str, Any]:
    """Validate desired-config settings; return them with coerced values or raise WireError."""
    if not isinstance(settings, dict):
        raise WireError("settings is not an object")
    out: dict[str, Any] = {}
    for key, value in settings.items():
        typ = CONFIG_KEYS.get(key)
        if typ is None:
            raise WireError(f"unknown setting {key!r}; allowed: {', '.join(sorted(CONFIG_KEYS))}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WireError(f"setting {key!r} must be a number")
        if value < 0 or (typ is int and int(value) != value):
            raise WireError(f"setting {key!r} = {value!r} is out of range")
        out[key] = typ(value)
    return out


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
        return msg
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
