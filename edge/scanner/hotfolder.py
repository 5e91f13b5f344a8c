"""Hot folder: pages that network scanners drop by scan-to-folder (SMB/FTP) into a directory.

A batch (one document) is a top-level sub-folder (its image files sorted by name), or a single
image file; a multi-page TIFF splits into its frames and a PDF into its page images. Hidden and
partial files are ignored. Nothing is decoded-or-dropped: a file that cannot be read or split is
returned raw as one page so the pipeline records a per-page error and the bytes are kept.
"""
from __future__ import annotations

import io
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from edge.exceptions import ScannerError
from edge.scanner.page import AcquiredPage

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".pnm", ".pgm", ".ppm",
     ".pbm", ".jp2", ".pdf"}
)
# Names scanners and copy tools give files still being written.
PARTIAL_SUFFIXES = frozenset({".tmp", ".part", ".partial", ".crdownload", ".filepart", ".download"})
DONE_DIR = ".done"
FAILED_DIR = ".failed"
_MIN_PLAUSIBLE_DPI = 50  # JPEGs often claim 1 or 72 "dpi" meaning "unknown"


@dataclass(frozen=True)
class HotBatch:
    """One document found in the hot folder."""

    path: Path  # the sub-folder or the single file
    kind: Literal["folder", "file"]
    files: tuple[Path, ...]  # page files in page order, as seen when the batch was found

    @property
    def name(self) -> str:
        """The batch's file or folder name."""
        return self.path.name


def _is_candidate(path: Path) -> bool:
    name = path.name
    if name.startswith((".", "~")):
        return False
    if path.suffix.lower() in PARTIAL_SUFFIXES:
        return False
    return path.suffix.lower() in IMAGE_SUFFIXES


def _last_change(paths: list[Path]) -> float:
    # ctime as well as mtime: copy tools (cp -p, SMB clients) preserve the source's mtime,
    # but every write or rename still moves ctime, which nobody can set back.
    newest = 0.0
    for path in paths:
        st = path.stat()
        newest = max(newest, st.st_mtime, st.st_ctime)
    return newest


class HotFolder:
    """Scan-to-folder inbox of network scanners; finished batches move to ``.done``/``.failed``."""

    def __init__(self, path: Path, *, settle_s: float = 2.0, default_dpi: int = 300) -> None:
        self.path = Path(path)
        self.settle_s = settle_s
        self.default_dpi = default_dpi

    def _batch(self, entry: Path) -> HotBatch | None:
        if entry.is_dir():
            files = sorted((p for p in entry.iterdir() if p.is_file() and _is_candidate(p)),
                           key=lambda p: p.name)
            return HotBatch(entry, "folder", tuple(files)) if files else None
        if entry.is_file() and _is_candidate(entry):
            return HotBatch(entry, "file", (entry,))
        return None

    def ready(self) -> list[HotBatch]:
        """Batches whose files have not changed for ``settle_s`` seconds, oldest first."""
        if not self.path.is_dir():
            raise ScannerError(f"hot folder {self.path} does not exist")
        now = time.time()
        found: list[tuple[float, str, HotBatch]] = []
        for entry in self.path.iterdir():
            if entry.name.startswith((".", "~")):  # .done, .failed, dotfiles, Office lock files
                continue
            try:
                batch = self._batch(entry)
                if batch is None:
                    continue
                # a folder still receiving files has partial/hidden entries too: count them all
                watched = [entry, *entry.iterdir()] if batch.kind == "folder" else [entry]
                changed = _last_change(watched)
            except FileNotFoundError:  # moved or renamed while we looked: see it next time
                continue
            if now - changed >= self.settle_s:
                found.append((changed, entry.name, batch))
        return [batch for _, _, batch in sorted(found, key=lambda t: (t[0], t[1]))]

    def pages(self, batch: HotBatch) -> list[AcquiredPage]:
        """The batch's pages in order; unreadable files come back as raw bytes, never dropped."""
        pages: list[AcquiredPage] = []
        for file in batch.files:  # only the files that had settled when ready() found the batch
            try:
                data = file.read_bytes()
            except OSError as e:
                raise ScannerError(f"cannot read hot-folder file {file.name}: {e.strerror}") from e
            for image, source, dpi in self._split(file, data):
                pages.append(AcquiredPage(index=len(pages), image=image, source=source, dpi=dpi))
        return pages

    def done(self, batch: HotBatch) -> None:
        """Move the batch to ``.done/``."""
        self._move(batch, DONE_DIR)

    def failed(self, batch: HotBatch, reason: str) -> None:
        """Move the batch to ``.failed/`` with a ``<name>.txt`` saying why."""
        target = self._move(batch, FAILED_DIR)
        target.with_name(target.name + ".txt").write_text(reason.rstrip() + "\n", encoding="utf-8")

    def _move(self, batch: HotBatch, subdir: str) -> Path:
        folder = self.path / subdir
        folder.mkdir(exist_ok=True)
        target = folder / batch.name
        if target.exists() or target.with_name(target.name + ".txt").exists():
            # the same file name comes back every day from some scanners ("scan0001.pdf")
            stamp = time.strftime("%Y%m%d-%H%M%S")
            n = 1
            while True:
                target = folder / f"{batch.path.stem}-{stamp}-{n}{batch.path.suffix}"
                if not target.exists():
                    break
                n += 1
        try:
            shutil.move(str(batch.path), str(target))
        except OSError as e:
            raise ScannerError(f"cannot move hot-folder batch {batch.name} to {subdir}: {e}") from e
        log.info("hot-folder batch moved to %s/%s", subdir, target.name)
        return target

    def _dpi(self, info: dict[str, object]) -> int:
        dpi = info.get("dpi")
        if isinstance(dpi, tuple) and dpi:
            try:
                value = int(round(float(dpi[0])))
            except (TypeError, ValueError):
                return self.default_dpi
            if value >= _MIN_PLAUSIBLE_DPI:
                return value
        return self.default_dpi

    def _split(self, file: Path, data: bytes) -> list[tuple[bytes, str, int]]:
        """(image bytes, source, dpi) per page of one file; the raw file if it cannot be split."""
        source = str(file)
        suffix = file.suffix.lower()
        try:
            if suffix == ".pdf":
                return _pdf_images(data, source, self.default_dpi)
            from PIL import Image

            with Image.open(io.BytesIO(data)) as img:
                frames = getattr(img, "n_frames", 1)
                dpi = self._dpi(img.info)
                if img.format != "TIFF" or frames <= 1:
                    return [(data, source, dpi)]  # header read only; imaging decodes it later
                out = []
                for k in range(frames):
                    img.seek(k)
                    out.append((_png(img), f"{source}#frame={k}", self._dpi(img.info)))
                return out
        except Exception as e:  # noqa: BLE001 — any decoder failure: keep the bytes, let imaging report
            log.warning("hot-folder file %s kept raw: %s", file.name, type(e).__name__)
            return [(data, source, self.default_dpi)]


def _png(frame: object) -> bytes:
    """One TIFF frame as PNG, losslessly (bilevel, gray and RGB stay as they are)."""
    from PIL import Image

    assert isinstance(frame, Image.Image)
    if frame.mode not in ("1", "L", "LA", "RGB", "RGBA", "P", "I;16"):
        frame = frame.convert("RGB")  # CMYK, YCbCr, F…: PNG cannot hold them
    dpi = frame.info.get("dpi")
    buffer = io.BytesIO()
    frame.save(buffer, format="PNG", compress_level=3,
               **({"dpi": tuple(float(d) for d in dpi)} if isinstance(dpi, tuple) else {}))
    return buffer.getvalue()


def _pdf_images(data: bytes, source: str, default_dpi: int) -> list[tuple[bytes, str, int]]:
    """Scanner PDFs hold one image per page: return those images; anything else stays raw."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    out = []
    for k, page in enumerate(reader.pages):
        images = list(page.images)
        if len(images) != 1:
            return [(data, source, default_dpi)]  # text/vector PDF: not a scan, leave it whole
        width_pt = float(page.mediabox.width)
        width_px = images[0].image.width if images[0].image is not None else 0
        dpi = int(round(width_px / (width_pt / 72))) if width_pt and width_px else default_dpi
        out.append((images[0].data, f"{source}#page={k}", dpi))
    return out or [(data, source, default_dpi)]

