"""The kiosk screen: a small local web page for the staff at the scanner."""
from __future__ import annotations

from edge.kiosk.app import create_app, serve_in_thread

__all__ = ["create_app", "serve_in_thread"]
