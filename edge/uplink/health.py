"""Board health figures for the kiosk's metrics that do not come from the spool."""
from __future__ import annotations

from pathlib import Path

THERMAL_ROOT = Path("/sys/class/thermal")


def board_temperature_c(root: Path = THERMAL_ROOT) -> float | None:
    """Highest temperature of the board's thermal zones in °C, or None when it has none."""
    found: list[float] = []
    for zone in sorted(root.glob("thermal_zone*/temp")):
        try:
            millis = int(zone.read_text().strip())
        except (OSError, ValueError):
            continue  # some zones refuse reads (permission) or report nothing
        if -40_000 < millis < 150_000:
            found.append(millis / 1000.0)
    return round(max(found), 1) if found else None
