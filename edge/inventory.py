"""What software a kiosk runs: the project's version and build, Tesseract and its Vietnamese
data, the fingerprint version and the operating system.

Every status message carries it (``StatusMessage.software``) so the panel can show each
kiosk's software and pick out the ones on an old version, and the hub can refuse documents
whose fingerprints it cannot compare. Each reading is guarded: a missing piece reads as
``""``, never as an error, because this runs on every (re)connect.
"""
from __future__ import annotations

import functools
import hashlib
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

DIST = "donthu"
REPO_ROOT = Path(__file__).resolve().parent.parent
# Written into a release by ``scripts/build-release.sh`` (the build's git commit and date).
BUILD_FILE = Path(__file__).with_name("BUILD")
TESSDATA_DIRS = (Path("/usr/share/tesseract-ocr/5/tessdata"), Path("/usr/share/tesseract-ocr/4.00/tessdata"))


def package_version() -> str:
    """The installed distribution's version (``pyproject.toml``'s ``version``)."""
    try:
        return metadata.version(DIST)
    except metadata.PackageNotFoundError:
        return ""


def build_id() -> str:
    """The build this code came from: a release's BUILD file, else the checkout's git commit."""
    try:
        return BUILD_FILE.read_text(encoding="utf-8").strip()[:64]
    except OSError:
        pass
    git = shutil.which("git")
    if git and (REPO_ROOT / ".git").exists():
        try:
            out = subprocess.run([git, "-C", str(REPO_ROOT), "rev-parse", "--short=12", "HEAD"],
                                 capture_output=True, text=True, timeout=5, check=True).stdout.strip()
            return f"git-{out}" if out else ""
        except (subprocess.SubprocessError, OSError):
            return ""
    return ""


def tesseract_version(*, timeout_s: float = 5.0) -> str:
    """``tesseract --version``'s first line's version, e.g. ``5.3.0``."""
    exe = shutil.which("tesseract")
    if not exe:
        return ""
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=timeout_s)
    except (subprocess.SubprocessError, OSError):
        return ""
    first = (out.stdout or out.stderr).splitlines()[:1]
    return first[0].split()[-1] if first else ""


def traineddata_version(lang: str = "vie") -> str:
    """A short hash of the language data file: two kiosks with one hash read pages alike."""
    for folder in TESSDATA_DIRS:
        path = folder / f"{lang}.traineddata"
        if path.is_file():
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            return digest.hexdigest()[:12]
    return ""


def os_release() -> str:
    """``PRETTY_NAME`` of /etc/os-release, else the platform string."""
    try:
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')[:80]
    except OSError:
        pass
    return platform.platform()[:80]


@functools.lru_cache(maxsize=4)
def software(lang: str = "vie") -> dict[str, Any]:
    """The kiosk's software inventory (cached: it changes only with an update and a restart)."""
    from edge.fingerprint.minhash import FINGERPRINT_VERSION

    return {
        "version": package_version(),
        "build": build_id(),
        "tesseract": tesseract_version(),
        "tessdata": traineddata_version(lang),
        "fingerprint": FINGERPRINT_VERSION,
        "os": os_release(),
        "python": platform.python_version(),
    }
