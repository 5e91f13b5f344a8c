"""What page acquisition hands to the pipeline: one page as image-file bytes."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AcquiredPage:
    """One acquired page, not yet decoded by imaging.

    ``image`` is an image file: PNG (lossless, 8-bit gray by default) for SANE pages; for hot-folder
    pages the file's own bytes (possibly corrupt — imaging reports that per page, nothing is dropped).
    """

    index: int  # 0-based position in its batch
    image: bytes
    source: str  # "sane:test:0", or the hot-folder file path ("…/scan.tif#frame=2" for a TIFF frame)
    dpi: int

    def __repr__(self) -> str:  # keep page bytes out of logs and tracebacks
        return (
            f"AcquiredPage(index={self.index}, source={self.source!r}, dpi={self.dpi}, "
            f"image=<{len(self.image)} bytes>)"
        )
