"""Child-process side of the SANE adapter: the only module that imports pyinsane2.

It runs inside a "spawn" worker started by ``edge.scanner.sane`` so a driver crash cannot take the
agent down. pyinsane2 is imported lazily, after the environment below is set, because pyinsane2
reads ``PYINSANE_SINGLE_THREAD`` at import and libsane reads ``SANE_CONFIG_DIR`` at ``sane_init``.

Pipe protocol (child → parent, tuples):
``("page", index, png_bytes, dpi, source)`` · ``("end", n_pages)`` · ``("error", code, detail)``
· ``("probe", device_names, opened_ok, detail)``. ``code`` is an ``edge.exceptions`` error code.
"""
from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

from edge.exceptions import CoverOpen, PaperJam, ScannerError, ScannerNotFound

log = logging.getLogger(__name__)

# SANE status codes (sane.h); pyinsane2 wraps them in SaneStatus objects that compare equal to ints.
_STATUS_NAMES = {
    1: "UNSUPPORTED", 2: "CANCELLED", 3: "DEVICE_BUSY", 4: "INVAL", 5: "EOF", 6: "JAMMED",
    7: "NO_DOCS", 8: "COVER_OPEN", 9: "IO_ERROR", 10: "NO_MEM", 11: "ACCESS_DENIED",
    12: "WARMING_UP", 13: "HW_LOCKED",
}
_JAMMED, _COVER_OPEN, _DEVICE_BUSY = 6, 8, 3
_FIXED_ONE = 65536  # SANE_Fixed is a 16.16 fixed-point int: value × 65536


@dataclass(frozen=True)
class ScanSettings:
    """What to scan; picklable so it crosses into the worker."""

    device: str
    dpi: int
    mode: str
    adf: bool
    area_mm: tuple[float, float] | None  # (width, height) from the top-left; None = largest


class RawPage(NamedTuple):
    """One page as pyinsane2 produced it (PIL image), before PNG encoding."""

    image: Any  # PIL.Image.Image
    dpi: int
    device: str


Reader = Callable[[ScanSettings], Iterator[RawPage]]


class DeviceUnavailable(Exception):
    """The requested device is not listed or cannot be opened."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.status = status


def prepare_environment(sane_config_dir: str | None) -> None:
    """Set the variables pyinsane2/libsane read; must run before pyinsane2 is imported."""
    # pyinsane2's default mode reads through a FIFO daemon and asserts on any partial read,
    # i.e. on every image over 64 KiB; single-thread mode calls libsane directly.
    os.environ["PYINSANE_SINGLE_THREAD"] = "1"
    if sane_config_dir is not None:
        os.environ["SANE_CONFIG_DIR"] = sane_config_dir


def status_name(status: object) -> str:
    """``SANE_STATUS_JAMMED`` style name of a pyinsane2 status (or of an int)."""
    try:
        code = int(status)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(status)
    return "SANE_STATUS_" + _STATUS_NAMES.get(code, str(code))


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status", None)
    try:
        return int(status) if status is not None else None
    except (TypeError, ValueError):
        return None


def classify(exc: BaseException) -> tuple[str, str]:
    """Map an exception raised in the worker to (edge error code, English detail)."""
    status = _status_of(exc)
    if isinstance(exc, DeviceUnavailable):
        if status in (_DEVICE_BUSY, 11):
            return ScannerError.code, f"{exc} (device busy or access denied)"
        return ScannerNotFound.code, str(exc)
    if status == _JAMMED:
        return PaperJam.code, f"{status_name(status)} while scanning"
    if status == _COVER_OPEN:
        return CoverOpen.code, f"{status_name(status)} while scanning"
    if status is not None:
        return ScannerError.code, f"{status_name(status)} while scanning"
    if isinstance(exc, (ImportError, OSError)):
        return ScannerError.code, f"SANE not usable: {type(exc).__name__}: {exc}"
    return ScannerError.code, f"{type(exc).__name__} in scanner worker: {exc}"


def _to_raw(option: Any, value: float) -> int:
    """A number in the option's unit → the int pyinsane2 passes to SANE (Fixed = ×65536)."""
    if int(option.val_type) == 2:  # SANE_TYPE_FIXED
        return int(round(value * _FIXED_ONE))
    return int(round(value))


def _from_raw(option: Any, raw: int) -> float:
    return raw / _FIXED_ONE if int(option.val_type) == 2 else float(raw)


def _nearest_allowed(option: Any, raw: int) -> int:
    constraint = option.constraint
    if isinstance(constraint, list) and constraint:
        return min(constraint, key=lambda allowed: abs(allowed - raw))
    if isinstance(constraint, tuple) and len(constraint) >= 2:
        return max(constraint[0], min(constraint[1], raw))
    return raw


def _open(pyinsane2: Any, device: str) -> Any:
    try:
        if device:
            scanner = pyinsane2.Scanner(name=device)
        else:
            devices = pyinsane2.get_devices()
            if not devices:
                raise DeviceUnavailable("no SANE device found")
            scanner = devices[0]
        scanner.options  # noqa: B018 — loading the options opens the device
    except pyinsane2.PyinsaneException as e:
        status = _status_of(e)
        raise DeviceUnavailable(
            f"cannot open SANE device {device or 'default'!r}: {status_name(status)}", status
        ) from e
    return scanner


def _set_area(scanner: Any, area_mm: tuple[float, float] | None, pyinsane2: Any) -> None:
    if area_mm is None:
        pyinsane2.maximize_scan_area(scanner)
        return
    options = scanner.options
    width, height = area_mm
    for start, end, size in (("tl-x", "br-x", width), ("tl-y", "br-y", height)):
        if start not in options or end not in options:
            log.warning("scanner has no %s/%s option; scan area left as is", start, end)
            continue
        origin = options[start].constraint[0] if isinstance(options[start].constraint, tuple) else 0
        options[start].value = origin
        far = origin + _to_raw(options[end], size)
        options[end].value = _nearest_allowed(options[end], far)


class ScannerSetupError(Exception):
    """The device cannot do what the settings ask (e.g. ADF on a flatbed-only scanner)."""


def _configure(pyinsane2: Any, scanner: Any, settings: ScanSettings) -> int:
    """Set source, mode, depth, resolution and area; return the dpi the device accepted."""
    options = scanner.options
    if "source" in options and options["source"].capabilities.is_active():
        wanted = ["ADF", "Automatic Document Feeder", "feeder"] if settings.adf else ["Flatbed"]
        try:
            pyinsane2.set_scanner_opt(scanner, "source", wanted)
        except pyinsane2.PyinsaneException as e:
            if settings.adf:
                raise ScannerSetupError(f"device {scanner.name!r} has no document feeder") from e
    elif settings.adf:
        raise ScannerSetupError(f"device {scanner.name!r} has no document feeder (no source option)")
    try:
        pyinsane2.set_scanner_opt(scanner, "mode", [settings.mode])
    except (KeyError, pyinsane2.PyinsaneException) as e:
        raise ScannerSetupError(f"device {scanner.name!r} cannot scan in mode {settings.mode!r}") from e
    if "depth" in options and options["depth"].capabilities.is_active():
        try:
            pyinsane2.set_scanner_opt(scanner, "depth", [8])
        except pyinsane2.PyinsaneException:
            log.warning("scanner refused 8-bit depth; keeping its default")
    resolution = options["resolution"]
    resolution.value = _nearest_allowed(resolution, _to_raw(resolution, settings.dpi))
    dpi = int(round(_from_raw(resolution, resolution.value)))
    _set_area(scanner, settings.area_mm, pyinsane2)
    return dpi


def read_pages(settings: ScanSettings) -> Iterator[RawPage]:
    """Open the device, configure it and yield pages until the feeder is empty (the fault seam)."""
    import pyinsane2

    pyinsane2.init()
    scanner = _open(pyinsane2, settings.device)
    dpi = _configure(pyinsane2, scanner, settings)
    try:
        session = scanner.scan(multiple=settings.adf)
    except StopIteration:  # sane_start said SANE_STATUS_NO_DOCS: feeder empty from the start
        return
    while True:
        try:
            session.scan.read()
        except EOFError:
            # pyinsane2 also signals the end of an ADF run as one last EOFError without an image
            if session.images:
                yield RawPage(session.images.pop(), dpi, scanner.name)
        except StopIteration:  # SANE_STATUS_NO_DOCS: the feeder is empty, the batch is complete
            return


def encode_png(image: Any, dpi: int) -> bytes:
    """Lossless PNG of a page, with its resolution recorded in the pHYs chunk."""
    buffer = io.BytesIO()
    # compress_level 3: on a noisy 300 dpi A4 gray page 0.42 s vs 0.64 s at the default 6,
    # for ~9 % more bytes; the kiosk has two cores and OCR waits behind this.
    image.save(buffer, format="PNG", dpi=(dpi, dpi), compress_level=3)
    return buffer.getvalue()


def scan_worker(
    conn: Connection, settings: ScanSettings, sane_config_dir: str | None, reader: Reader | None
) -> None:
    """Worker entry: scan and send each page to the parent as soon as it is read."""
    prepare_environment(sane_config_dir)
    read = reader or read_pages
    index = 0
    try:
        for page in read(settings):
            conn.send(("page", index, encode_png(page.image, page.dpi), page.dpi, f"sane:{page.device}"))
            index += 1
    except ScannerSetupError as e:
        conn.send(("error", ScannerError.code, str(e)))
    except Exception as e:  # noqa: BLE001 — every failure must reach the parent as a code
        conn.send(("error", *classify(e)))
    else:
        conn.send(("end", index))
    finally:
        conn.close()


def probe_worker(conn: Connection, device: str, sane_config_dir: str | None) -> None:
    """Worker entry: list devices and try to open the requested (or first) one."""
    prepare_environment(sane_config_dir)
    names: tuple[str, ...] = ()
    try:
        import pyinsane2

        pyinsane2.init()
        names = tuple(d.name for d in pyinsane2.get_devices())
        scanner = _open(pyinsane2, device)
        # The paper sources it offers ("Flatbed", "Automatic Document Feeder"): doctor's feeder check.
        sources = ""
        if "source" in scanner.options:
            constraint = scanner.options["source"].constraint
            if isinstance(constraint, list | tuple):
                sources = f"; sources: {', '.join(str(c) for c in constraint)}"
        conn.send(("probe", names, True, f"SANE device {scanner.name!r} opens{sources}"))
    except Exception as e:  # noqa: BLE001
        conn.send(("probe", names, False, classify(e)[1]))
    finally:
        conn.close()
