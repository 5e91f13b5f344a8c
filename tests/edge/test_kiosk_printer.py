"""The receipt printer adapter: a missing, unknown or hung printer is a clear message, never a hang."""
from __future__ import annotations

import shutil
import time

import pytest

from edge.kiosk.exceptions import NoPrinter, PrinterError
from edge.kiosk.printer import print_pdf, probe

PDF = b"%PDF-1.4 receipt"


def test_no_printer_configured_says_so():
    with pytest.raises(NoPrinter) as e:
        print_pdf(PDF, printer="", title="K01-081226-0001")
    assert "máy in" in e.value.message_vi


@pytest.mark.skipif(shutil.which("lpstat") is None, reason="needs cups-client (scripts/install.sh)")
def test_a_printer_cups_does_not_know_is_reported_in_vietnamese():
    assert "unknown" in probe("receipt-printer-absent")
    with pytest.raises(PrinterError) as e:
        print_pdf(PDF, printer="receipt-printer-absent", title="K01-081226-0001")
    assert "Kiểm tra máy in đã bật" in e.value.message_vi


def test_a_hung_print_spooler_times_out(tmp_path, monkeypatch):
    # Fault at the seam: a CUPS that knows the printer but whose lp never returns.
    (tmp_path / "lpstat").write_text("#!/bin/sh\necho 'printer receipt is idle.  enabled since now'\n")
    (tmp_path / "lp").write_text("#!/bin/sh\nsleep 30\n")
    for f in ("lpstat", "lp"):
        (tmp_path / f).chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert probe("receipt") == ""
    started = time.monotonic()
    with pytest.raises(PrinterError) as e:
        print_pdf(PDF, printer="receipt", title="K01-081226-0001", timeout_s=1.0)
    assert time.monotonic() - started < 5 and "máy in" in e.value.message_vi


def test_the_screen_reports_a_missing_printer_without_crashing(edge_config):
    from edge.agent import Agent
    from edge.kiosk import create_app
    from edge.kiosk.security import CSRF_HEADER, csrf_value
    from tests.edge.test_kiosk import LETTER, add_batch, assemble, sent_documents

    agent = Agent(edge_config(None, kiosk={"printer": "receipt-printer-absent"}))
    try:
        add_batch(agent, [LETTER])
        assemble(agent)
        assert sent_documents(agent)
        app = create_app(agent)
        c = app.test_client()
        c.get(f"/?token={app.config['KIOSK_TOKEN']}")
        ref = c.get("/api/status").get_json()["latest"]["reference"]
        r = c.post(f"/receipt/{ref}/print", headers={CSRF_HEADER: csrf_value(app.config["KIOSK_TOKEN"])})
        assert r.status_code == 503 and "máy in" in r.get_json()["message"]
    finally:
        agent.spool.close()
