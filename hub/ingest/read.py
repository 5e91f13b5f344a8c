"""Reading incoming messages: decode and check them before they touch the index.

Reading needs no index: decoding a kiosk's JSON (its page image in base64), checking the
image's hash, folding a document's text and shingling it. The ingester does it in its
broker link's process (``link``), so its writer only stores.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

from edge.fingerprint.identity import identity_keys
from edge.fingerprint.minhash import FINGERPRINT_VERSION, shingles_of_fold
from edge.fingerprint.normalize import fold
from edge.wire import DocumentMessage, Message, PageImageMessage, WireError, from_json, parse_topic

# A kiosk names its documents and pages with ``wire.new_id()`` (a UUID4 in hex): anything else
# (an import's ``imp-…`` id, another scheme, a guess) is refused before it reaches the index.
KIOSK_ID_RE = re.compile(r"^[0-9a-f]{32}$")

@dataclass(frozen=True)
class Parsed:
    """A message read and checked against the wire contract.

    A document also brings its search form and shingles, which the writer would otherwise
    derive from its text, and its identity keys, always found here from the text: a kiosk's
    own list is not trusted (a compromised kiosk could claim any citizen's CCCD and be told
    of that citizen's letters). A message that breaks the contract
    keeps its payload (to be kept aside with ``error``); a good one drops it (its content is in
    ``msg``).
    """

    topic: str
    msg: Message | None = None
    error: str = ""
    payload: bytes = b""
    text_fold: str = ""
    shingles: np.ndarray | None = None
    identity_keys: tuple[str, ...] = ()


def parse(topic: str, payload: bytes) -> Parsed:
    """Decode and validate one message (no index needed)."""
    try:
        device_id, kind = parse_topic(topic)
        msg = from_json(payload, kind=kind)
        if msg.device_id != device_id:
            raise WireError(f"device {msg.device_id!r} published under {device_id!r}'s topic")
        if isinstance(msg, PageImageMessage | DocumentMessage):
            _check_ids(msg)
        if isinstance(msg, PageImageMessage) and hashlib.sha256(msg.image).hexdigest() != msg.image_sha256:
            raise WireError("page image does not match its sha256")
    except WireError as e:
        return Parsed(topic, error=str(e), payload=payload)
    if isinstance(msg, DocumentMessage):
        folded = fold(msg.text)
        codes = shingles_of_fold(folded) if msg.fingerprint.version == FINGERPRINT_VERSION else None
        return Parsed(topic, msg, text_fold=folded, shingles=codes, identity_keys=identity_keys(msg.text))
    return Parsed(topic, msg)


def _check_ids(msg: DocumentMessage | PageImageMessage) -> None:
    ids = [("doc_id", msg.doc_id)]
    if isinstance(msg, PageImageMessage):
        ids.append(("page_id", msg.page_id))
    else:
        ids += [("page_id", p.page_id) for p in msg.pages]
        if len({p.page_id for p in msg.pages}) != len(msg.pages):
            raise WireError("a page is listed twice in the document")
    for name, value in ids:
        if not KIOSK_ID_RE.match(value):
            raise WireError(f"{name} is not a kiosk id (32 hex digits)")


def warm_up() -> None:
    """Load what reading a document needs (compiled kernels from Numba's cache, tables) before
    the first message waits on it: about a third of a second in a fresh process."""
    text = "Tôi tên là Nguyễn Văn An, số CCCD 001085012345, điện thoại 0912345678, đề nghị xem xét."
    shingles_of_fold(fold(text))
    identity_keys(text)
