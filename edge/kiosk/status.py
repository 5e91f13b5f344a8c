"""Everything the kiosk screen shows, as plain data (rendered by the page, served as JSON)."""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from edge.fields import FIELD_NAMES, KINDS, SLASH_DATE
from edge.kiosk.strings import VI
from edge.kiosk.verdict import banner, local_time
from edge.review import recent

if TYPE_CHECKING:
    from edge.agent import Agent

# Below this confidence a field is shown as unsure (amber, "Chưa chắc"): a product decision
# checked by the bench (python -m tests.bench.bench_fields), which finds readings at or above
# it right 95-100% of the time for every field at up to 8% simulated OCR noise.
LOW_CONFIDENCE = 0.8


def recent_documents(agent: Agent, limit: int = 5) -> list[dict[str, Any]]:
    """The latest documents: reference, local time, pages, verdict banner (never a document id)."""
    known = {d.get("doc_id"): d for d in recent(agent.spool)}
    out = []
    for d in agent.spool.recent_documents(limit):
        verdict = json.loads(d["verdict"]) if d["verdict"] else None
        b = banner(verdict)
        mine = known.get(d["doc_id"], {})
        out.append({"reference": mine.get("reference", ""), "name": mine.get("name", ""),
                    "at": local_time(d["created_at"]), "pages": d["page_count"],
                    "level": b.level, "verdict": b.text, "plain": b.plain})
    return out


def shown_value(name: str, value: str) -> str:
    """A field as the clerk reads and types it (dates dd/mm/yyyy, as on Vietnamese forms)."""
    if name == "letter_date" and len(value) == 10 and value[4] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    return value


def typed_value(name: str, value: Any) -> Any:
    """A field as the clerk typed it, in the stored form (dd/mm/yyyy → ISO); else unchanged."""
    if name == "letter_date" and isinstance(value, str):
        m = SLASH_DATE.fullmatch(value.strip())
        if m:
            return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    return value


def review(agent: Agent) -> dict[str, Any] | None:
    """The batch waiting for the clerk, with its drafts' fields and how sure each is."""
    held = agent.review.current()
    if held is None:
        return None
    drafts = []
    for i, d in enumerate(held.drafts):
        drafts.append({
            "index": i, "reference": d.reference, "pages": d.page_count,
            "title": VI["review_title"].format(ref=d.reference, p=d.page_count),
            "fields": [{"name": f, "label": VI[f"field_{f}"], "value": shown_value(f, getattr(d.fields, f)),
                        "low": d.fields.confidence.get(f, 0.0) < LOW_CONFIDENCE}
                       for f in FIELD_NAMES],
        })
    left = max(0, int(held.deadline - time.monotonic()))
    return {"batch_id": held.batch_id, "seconds_left": left,
            "left_text": VI["review_left"].format(s=left), "drafts": drafts}


def status(agent: Agent) -> dict[str, Any]:
    """The screen's state: headline, alerts in red, the latest verdict, the batch's pages."""
    snap = agent.screen.snapshot()
    stats = agent.spool.stats()
    hot = agent.cfg.scanner.source == "hotfolder"
    state = snap["state"]
    alerts: list[dict[str, str]] = []
    if state == "scanning":
        headline = VI["scanning"].format(n=snap["page_no"])
    elif state == "feeder_empty":
        headline = VI["feeder_empty"].format(n=snap["page_no"])
    else:
        headline = VI["ready_hotfolder" if hot else "ready"]
    if state == "disk_full":
        alerts.append({"text": snap["error_vi"] or VI["disk_full"], "fix": ""})
    elif state == "error":  # never inside the green box: the scanner needs the clerk
        alerts.append({"text": snap["error_vi"] or VI["error"], "fix": VI["scanner_fix"]})
    connected = agent.uplink.connected
    if not connected:
        alerts.append({"text": VI["offline"].format(k=stats["outbox_depth"]), "fix": VI["offline_fix"]})
    for batch_id, n in sorted(agent.review.blank.items()):
        alerts.append({"text": VI["all_blank"].format(n=n), "fix": "",
                       "action": f"/blank/{batch_id}/send", "action_label": VI["blank_send"]})
    pages = []
    for p in agent.spool.screen_pages(snap["batch_id"]) if snap["batch_id"] else []:
        flags = json.loads(p["flags"]) if p["flags"] else []
        note = (VI["page_failed"] if p["state"] == "failed" else
                VI["page_blank"] if "blank" in flags else
                VI["page_low"] if "low_confidence" in flags else
                VI["page_wait"] if p["state"] in ("new", "processing") else "")
        pages.append({"page_id": p["page_id"], "no": p["idx"] + 1, "state": p["state"], "note": note})
    docs = recent_documents(agent)
    latest = docs[0] if docs else None
    return {
        "state": state, "headline": headline, "ok": state not in ("error", "disk_full"),
        "error_code": snap["error_code"], "alerts": alerts, "connected": connected,
        "link": VI["online"] if connected else VI["offline"].format(k=stats["outbox_depth"]),
        "backlog": VI["backlog"].format(b=stats["ocr_backlog"]) if stats["ocr_backlog"] else "",
        "outbox_depth": stats["outbox_depth"], "ocr_backlog": stats["ocr_backlog"],
        "pages_today": stats["pages_today"],
        # Hot folder: no button at all. SANE: pressable unless a scan is under way.
        "show_scan": not hot, "can_scan": not hot and state != "scanning" and not snap["scan_requested"],
        "pages": pages, "documents": docs, "latest": latest, "review": review(agent),
        "can_print": bool(agent.cfg.kiosk.printer),  # else the receipt is only downloaded
        "kinds": [{"value": k, "label": VI["kind_other"] if k == "other" else k} for k in KINDS],
    }
