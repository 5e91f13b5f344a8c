"""Reading incoming messages: decode and check them before they touch the index.

Reading needs no index: decoding a kiosk's JSON (its page image in base64), checking the
image's hash, folding a document's text and shingling it. The ingester does it in one
helper process (:class:`Reader`) while its writer thread stores the messages before, so the
hub uses a second core. Messages come back in the order they went in. Until the helper is
ready, and if it dies or hangs, the writer reads messages itself: nothing waits on the
helper and nothing is lost with it (a message is acknowledged to the broker only once it
is stored).
"""
from __future__ import annotations

import collections
import hashlib
import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from edge.fingerprint.identity import identity_keys
from edge.fingerprint.minhash import FINGERPRINT_VERSION, shingles_of_fold
from edge.fingerprint.normalize import fold
from edge.wire import DocumentMessage, Message, PageImageMessage, WireError, from_json, parse_topic

log = logging.getLogger(__name__)

# Messages sent to the helper at once (fewer, larger pipe writes, fewer wake-ups of the
# threads that share the writer's interpreter), and how long the first waits for company.
CHUNK = 64
GATHER_S = 0.005
# A helper that has not answered for this long is taken for hung: it is stopped and the
# writer reads what it held.
HUNG_S = 15.0


@dataclass(frozen=True)
class Parsed:
    """A message read and checked against the wire contract.

    A document also brings its search form and shingles, which the writer would otherwise
    derive from its text, and its identity keys: as the kiosk found them, or found here when
    the message has none (a kiosk of an older version). A message that breaks the contract keeps its payload (to be kept
    aside with ``error``); a good one drops it (its content is in ``msg``).
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
        if isinstance(msg, PageImageMessage) and hashlib.sha256(msg.image).hexdigest() != msg.image_sha256:
            raise WireError("page image does not match its sha256")
    except WireError as e:
        return Parsed(topic, error=str(e), payload=payload)
    if isinstance(msg, DocumentMessage):
        folded = fold(msg.text)
        codes = shingles_of_fold(folded) if msg.fingerprint.version == FINGERPRINT_VERSION else None
        keys = tuple(msg.identity_keys) or identity_keys(msg.text)
        return Parsed(topic, msg, text_fold=folded, shingles=codes, identity_keys=keys)
    return Parsed(topic, msg)


def _serve(conn) -> None:  # noqa: ANN001 — a multiprocessing Connection
    """The helper process: read each chunk of (topic, payload) pairs, answer with what was read."""
    conn.send("ready")
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):  # the ingester has gone
            return
        if chunk is None:
            return
        out = []
        for topic, payload in chunk:
            try:
                out.append(parse(topic, payload))
            except Exception:  # noqa: BLE001 — the writer reads this one itself and reports it
                out.append(None)
        conn.send(out)


class Reader:
    """Reads messages in a helper process and hands them on in order.

    ``deliver(token, parsed)`` is called from one of the reader's threads, in the order the
    messages were submitted; ``parsed`` is None when the writer must read the message itself.
    """

    def __init__(self, deliver: Callable[[Any, Parsed | None], None]) -> None:
        self._deliver = deliver
        self._in: queue.SimpleQueue[tuple[Any, str, bytes] | None] = queue.SimpleQueue()
        self._pending: collections.deque[tuple[Any, float]] = collections.deque()
        self._lock = threading.Lock()  # order of delivery: pending first, then anything newer
        self._ready = threading.Event()
        self._dead = threading.Event()
        self._stopping = threading.Event()
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child,), name="hub-reader", daemon=True)
        self._child_conn = child
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._proc.start()
        self._child_conn.close()
        for target, name in ((self._feed, "hub-reader-feed"), (self._collect, "hub-reader-collect")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def submit(self, token: Any, topic: str, payload: bytes) -> None:
        """Queue one message (never blocks: called from the MQTT network thread)."""
        self._in.put((token, topic, payload))

    def stop(self) -> None:
        """Hand on what is in flight, then stop the helper."""
        self._stopping.set()
        self._in.put(None)
        for t in self._threads:
            t.join(timeout=HUNG_S + 5)
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(timeout=5)

    # -- threads ------------------------------------------------------------------------------
    def _give_up(self, why: str) -> None:
        """The helper is gone or hung: the writer reads everything it held, in order."""
        with self._lock:
            if not self._dead.is_set():
                self._dead.set()
                if self._stopping.is_set() and not self._pending:
                    return
                log.warning("message reader process stopped (%s): the writer reads messages itself", why)
                if self._proc.is_alive():
                    self._proc.kill()
            while self._pending:
                self._deliver(self._pending.popleft()[0], None)

    def _feed(self) -> None:
        stopping = False
        while not stopping:
            first = self._in.get()
            if first is None:
                break
            chunk = [first]
            until = time.monotonic() + GATHER_S
            while len(chunk) < CHUNK:
                try:
                    item = self._in.get(timeout=max(0.0, until - time.monotonic()))
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                chunk.append(item)
            with self._lock:
                direct = not self._ready.is_set() or self._dead.is_set()
                if direct:
                    while self._pending:  # older messages first
                        self._deliver(self._pending.popleft()[0], None)
                    for token, _topic, _payload in chunk:
                        self._deliver(token, None)
                else:
                    now = time.monotonic()
                    self._pending.extend((token, now) for token, _, _ in chunk)
            if direct:
                continue
            try:
                self._conn.send([(topic, payload) for _, topic, payload in chunk])
            except (OSError, ValueError) as e:
                self._give_up(f"cannot send: {e}")
        if not self._dead.is_set():
            try:
                self._conn.send(None)  # the helper answers what it holds, then exits
            except (OSError, ValueError):
                self._give_up("gone at stop")

    def _collect(self) -> None:
        try:
            while True:
                if not self._conn.poll(1.0):
                    with self._lock:
                        oldest = self._pending[0][1] if self._pending else None
                    if not self._ready.is_set() and not self._proc.is_alive():
                        raise EOFError("exited before it was ready")
                    if oldest is not None and time.monotonic() - oldest > HUNG_S:
                        self._give_up(f"no answer for {HUNG_S:.0f} s")
                        return
                    continue
                got = self._conn.recv()
                if got == "ready":
                    self._ready.set()
                    continue
                with self._lock:
                    for parsed in got:
                        self._deliver(self._pending.popleft()[0], parsed)
        except (EOFError, OSError) as e:
            self._give_up(str(e) or "exited")
