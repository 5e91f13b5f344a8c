"""Bounds on what one imported file may make the hub do: each is a product decision.

A petition with its evidence is a few dozen pages and a few megabytes; anything far past these
is a mistake or an attack, refused before it costs memory or minutes.
"""
from __future__ import annotations

# Bytes of one file as it arrives (a phone photo is ~5 MB, a 40-page scan at 300 dpi ~30 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
# Pages of one document, text layer or scanned (OCR takes ~5 s a page on one core).
MAX_PAGES = 100
# Office files are zip archives: the sum of their members unpacked, one member's XML, the count
# of members, and how far one member may expand (deflate reaches ~1000:1 only on filler).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_XML_BYTES = 30 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_RATIO = 200
# Pixels of one image or rendered page: larger than A3 at 400 dpi is not a page.
MAX_PIXELS = 40_000_000
# Nesting of a mail's parts (a forwarded mail inside a reply inside a digest is 3-4 levels).
MAX_MIME_DEPTH = 8
# Parts of one mail, attachments included.
MAX_MIME_PARTS = 200
# Whole-file OCR budget: a scanned document past this many seconds is stopped, not waited on.
OCR_BUDGET_S = 900.0
