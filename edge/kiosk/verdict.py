"""The hub's verdict on a document, in the words and colour the clerk sees (and the citizen reads).

Rendered from the verdict payload's ``outcome`` and its matches' ``case_ref``, ``status``,
``resolved_at`` and ``received_at`` only: a raw document id is never shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from edge.documents import LOCAL_TZ
from edge.kiosk.strings import VI


@dataclass(frozen=True)
class Banner:
    level: str  # "new" (green) | "same" (amber) | "resubmission" (red) | "wait" (grey)
    text: str  # the banner's words
    plain: str  # the receipt's sentence


def local_time(iso: str | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """An ISO timestamp (UTC or with offset) as Hanoi local time; "" when missing or unreadable."""
    if not iso:
        return ""
    if len(str(iso)) == 10:  # a bare date (a case's resolution day): no time zone to apply
        try:
            return datetime.fromisoformat(str(iso)).strftime(fmt.split(" ")[0])
        except ValueError:
            return ""
    try:
        t = datetime.fromisoformat(str(iso))
    except ValueError:
        return ""
    if t.tzinfo is None:  # the spool and the hub write UTC
        t = t.replace(tzinfo=UTC)
    return t.astimezone(LOCAL_TZ).strftime(fmt)


def local_date(iso: str | None) -> str:
    """dd/mm/yyyy in Hanoi local time."""
    return local_time(iso, "%d/%m/%Y")


def pick_match(matches: list[dict[str, Any]]) -> dict[str, Any]:
    """The match to name: a resolved case first, then one with a case number, then the newest."""
    def key(m: dict[str, Any]) -> tuple:
        return (m.get("status") == "resolved", bool(m.get("case_ref")),
                str(m.get("resolved_at") or ""), str(m.get("received_at") or ""))
    good = [m for m in matches if isinstance(m, dict)]
    return max(good, key=key) if good else {}


def banner(verdict: dict[str, Any] | None) -> Banner:
    """Banner for a document's verdict (None: the hub has not answered yet)."""
    if not verdict:
        return Banner("wait", VI["verdict_wait"], VI["plain_wait"])
    outcome = verdict.get("outcome")
    if outcome == "new":
        return Banner("new", VI["verdict_new"], VI["plain_new"])
    m = pick_match(list(verdict.get("matches") or []))
    ref = str(m.get("case_ref") or "")[:40]
    if outcome == "resubmission":
        date = local_date(m.get("resolved_at"))
        if ref and date:
            text = VI["verdict_resub"].format(ref=ref, date=date)
        elif ref:
            text = VI["verdict_resub_nodate"].format(ref=ref)
        else:
            text = VI["verdict_resub_noref"].format(date=date or "?")
        plain = VI["plain_resub"].format(ref=ref or "", date=f" ngày {date}" if date else "")
        return Banner("resubmission", text, " ".join(plain.split()))
    if ref:
        return Banner("same", VI["verdict_same_case"].format(ref=ref),
                      VI["plain_same_case"].format(ref=ref))
    date = local_date(m.get("received_at"))
    text = VI["verdict_same_date"].format(date=date) if date else VI["verdict_same"]
    return Banner("same", text, VI["plain_same"])
