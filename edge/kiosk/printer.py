"""The receipt printer, through CUPS (``lp``/``lpstat``): one adapter with a probe and timeouts.

The PDF goes to ``lp`` on its standard input; the job title is the reference only, so no
personal data appears on a command line or in the print queue's listing.
"""
from __future__ import annotations

import shutil
import subprocess

from edge.kiosk.exceptions import NoPrinter, PrinterError

TIMEOUT_S = 10.0  # CUPS answers locally within a second; a hung daemon must not hang the screen


def probe(printer: str, *, timeout_s: float = TIMEOUT_S) -> str:
    """"" when ``printer`` is a CUPS queue ready to take jobs; else why not (English, for logs)."""
    if not printer:
        return "no printer configured"
    if shutil.which("lp") is None or shutil.which("lpstat") is None:
        return "CUPS client (lp, lpstat) is not installed"
    try:
        run = subprocess.run(["lpstat", "-p", printer], capture_output=True, text=True,
                             timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"lpstat failed: {e}"
    if run.returncode != 0:
        return f"printer {printer!r} unknown to CUPS: {run.stderr.strip()[:200]}"
    if "disabled" in run.stdout:
        return f"printer {printer!r} is disabled"
    return ""


def print_pdf(pdf: bytes, *, printer: str, title: str, timeout_s: float = TIMEOUT_S) -> str:
    """Send a PDF to ``printer``; return the CUPS job id. Raise PrinterError (Vietnamese message)."""
    if not printer:
        raise NoPrinter("[kiosk] printer is not set")
    why = probe(printer, timeout_s=timeout_s)
    if why:
        raise PrinterError(why)
    try:
        run = subprocess.run(["lp", "-d", printer, "-t", title, "-"], input=pdf, capture_output=True,
                             timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise PrinterError(f"lp failed: {e}") from e
    if run.returncode != 0:
        raise PrinterError(f"lp exit {run.returncode}: {run.stderr.decode(errors='replace')[:200]}")
    return run.stdout.decode(errors="replace").strip()
