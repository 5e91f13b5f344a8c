"""The citizen's receipt ("Phiếu tiếp nhận đơn") as a PDF, sized for an 80 mm receipt roll.

It names the petitioner only: no ID number, address or phone ever goes on paper a citizen
may lose. Set in DejaVu Sans (Debian's fonts-dejavu-core), which has every Vietnamese letter.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from edge.kiosk.exceptions import ReceiptError
from edge.kiosk.strings import VI

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
WIDTH_MM = 80.0  # the usual receipt roll
MARGIN_MM = 5.0


@dataclass(frozen=True)
class Receipt:
    reference: str
    received_at: str  # local, dd/mm/yyyy HH:MM
    pages: int
    place: str
    name: str
    verdict: str  # plain words


def receipt_pdf(r: Receipt) -> bytes:
    """The receipt as PDF bytes; raise ReceiptError if the font is missing."""
    try:
        pdf = FPDF(orientation="P", unit="mm", format=(WIDTH_MM, 160.0))
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    except (OSError, RuntimeError) as e:
        raise ReceiptError(f"receipt font: {e}") from e
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, MARGIN_MM)
    pdf.set_title(f"{VI['receipt_title']} {r.reference}")
    pdf.add_page()
    w = WIDTH_MM - 2 * MARGIN_MM
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(w, 7, VI["receipt_title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(w, 9, r.reference, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    rows = [(VI["receipt_at"], r.received_at), (VI["receipt_pages"], str(r.pages)),
            (VI["receipt_place"], r.place)]
    if r.name:
        rows.append((VI["receipt_name"], r.name))
    rows.append((VI["receipt_verdict"], r.verdict))
    for label, value in rows:
        pdf.set_font("DejaVu", "B", 9)
        pdf.multi_cell(w, 5, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(w, 5, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(w, 5, VI["receipt_next"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(w, 5, VI["receipt_keep"], align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
