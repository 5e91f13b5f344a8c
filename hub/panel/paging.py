"""The page of a paginated list a request asks for (``?page=``), kept within the pages there are."""
from __future__ import annotations

import math

from flask import current_app, request


def page_of(total: int) -> tuple[int, int, int]:
    """``(page, pages, size)`` for a list of ``total`` rows: one page at least, ``?page=`` clamped into range."""
    size = int(current_app.config["PAGE_SIZE"])
    pages = max(1, math.ceil(total / size))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    return page, pages, size
