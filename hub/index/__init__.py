"""The city index: one SQLite file, opened through :func:`open_index`."""
from __future__ import annotations

from hub.index.db import Checkpointer, WalSync, immediate, open_index, rows

__all__ = ["Checkpointer", "WalSync", "immediate", "open_index", "rows"]
