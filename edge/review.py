"""The clerk's desk: an assembled batch waits here for the clerk to check its fields.

With ``[kiosk] review_fields`` on, a batch's documents are held (in memory: after a
restart the batch is assembled and held again) until the clerk confirms them on the
kiosk screen, or ``review_timeout_s`` passes, after which they are sent as read. A field
the clerk changes gets confidence 1 and the document's fields are marked ``clerk``.
A batch whose every page is blank is kept aside (not sent, its pages stay in the spool)
until the clerk says to send it anyway.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from edge.fields import PetitionFields, clean

if TYPE_CHECKING:
    from edge.outbox.spool import Spool

RECENT_KEY = "kiosk_recent"  # spool setting: the last documents' reference and name, for the screen
RECENT_KEPT = 20


def recent(spool: Spool) -> list[dict[str, Any]]:
    """The last documents' ``doc_id``, ``reference`` and ``name``, newest first ([] if unreadable)."""
    try:
        entries = json.loads(spool.get_setting(RECENT_KEY, "[]"))
    except ValueError:
        return []
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def remember(spool: Spool, entries: list[dict[str, Any]]) -> None:
    """Put the documents just queued in front of the recent ones (the last ``RECENT_KEPT`` kept)."""
    kept = (entries + recent(spool))[:RECENT_KEPT]
    spool.set_setting(RECENT_KEY, json.dumps(kept, ensure_ascii=False))


@dataclass(frozen=True)
class Draft:
    """One document of a held batch, as it will be sent."""

    reference: str
    fields: PetitionFields
    page_count: int
    corrected: bool = False

    def wire_fields(self) -> dict[str, Any]:
        """``meta["fields"]`` of the document message."""
        return {**self.fields.to_dict(), "source": "clerk" if self.corrected else "ocr"}


@dataclass
class Held:
    batch_id: str
    drafts: list[Draft]
    deadline: float  # time.monotonic()
    confirmed: bool = False
    created: float = field(default_factory=time.monotonic)

    def due(self) -> bool:
        """May it be sent now: confirmed by the clerk, or its review time is over?"""
        return self.confirmed or time.monotonic() >= self.deadline


class ReviewDesk:
    """Batches waiting for the clerk (thread-safe: the assembler and the web page share it)."""

    def __init__(self, *, enabled: bool, timeout_s: float) -> None:
        self.enabled = enabled
        self.timeout_s = timeout_s
        self._held: dict[str, Held] = {}
        self._lock = threading.Lock()
        self.blank: dict[str, int] = {}  # batch id -> pages, kept aside: every page blank
        self._send_blank: set[str] = set()

    def hold(self, batch_id: str, make: Any) -> Held:
        """The held batch, drafted by ``make()`` (→ list of Draft) the first time it is seen."""
        with self._lock:
            held = self._held.get(batch_id)
        if held is None:
            drafts = list(make())
            with self._lock:
                held = self._held.setdefault(
                    batch_id, Held(batch_id, drafts, time.monotonic() + self.timeout_s,
                                   confirmed=not self.enabled))
        return held

    def ready(self, batch_id: str) -> bool:
        """May this batch be sent now (confirmed, timed out, or review off)?"""
        with self._lock:
            held = self._held.get(batch_id)
            return held is not None and held.due()

    def waiting(self, batch_id: str) -> bool:
        """Is this batch still waiting for the clerk (held, or blank and kept aside)?"""
        with self._lock:
            held = self._held.get(batch_id)
            if held is not None:
                return not held.due()
            return batch_id in self.blank and batch_id not in self._send_blank

    def current(self) -> Held | None:
        """The oldest batch waiting for the clerk, if any."""
        with self._lock:
            waiting = [h for h in self._held.values() if not h.confirmed]
            return min(waiting, key=lambda h: h.created) if waiting else None

    def correct(self, batch_id: str, index: int, values: dict[str, Any]) -> Draft:
        """Apply the clerk's values to one draft; raise FieldsInvalid or KeyError."""
        with self._lock:
            held = self._held[batch_id]
            draft = held.drafts[index]
            given = clean({**draft.fields.values(), **values})  # the one validator
            fields = draft.fields.corrected(given.values())
            new = replace(draft, fields=fields, corrected=draft.corrected or fields != draft.fields)
            held.drafts[index] = new
            return new

    def confirm(self, batch_id: str) -> bool:
        """The clerk confirmed the batch; False when it is no longer held."""
        with self._lock:
            held = self._held.get(batch_id)
            if held is None:
                return False
            held.confirmed = True
            return True

    def done(self, batch_id: str) -> None:
        """The batch was sent."""
        with self._lock:
            self._held.pop(batch_id, None)
            self.blank.pop(batch_id, None)
            self._send_blank.discard(batch_id)

    def keep_blank(self, batch_id: str, pages: int) -> bool:
        """Keep a blank batch aside unless the clerk said to send it; True = keep it back now."""
        with self._lock:
            if batch_id in self._send_blank:
                return False
            self.blank[batch_id] = pages
            return True

    def send_blank(self, batch_id: str) -> bool:
        """The clerk wants a blank batch sent anyway; False when no such batch is kept aside."""
        with self._lock:
            if batch_id not in self.blank:
                return False
            self._send_blank.add(batch_id)
            return True
