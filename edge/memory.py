"""How the appliance's process holds memory: few malloc arenas, freed memory returned when idle."""
from __future__ import annotations

import ctypes

# mallopt(3) parameter number, from glibc's <malloc.h>.
_M_ARENA_MAX = -8
# Arenas all threads share (glibc's default is up to eight per core).
MALLOC_ARENAS = 2


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt  # noqa: B018 — glibc only; musl and macOS lack it
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()


def share_arenas() -> bool:
    """Let every thread allocate from the same two malloc arenas; False if not glibc.

    Call it before threads start. glibc gives a thread that finds the arenas busy an arena of
    its own, and a page buffer (8.7 MB at 300 dpi) freed there is kept for that arena's next
    use: with two page workers, the warm-up and OpenCV's threads, ~15 MB more at the peak of
    ``edge process``. Shared arenas reuse each other's freed pages at no cost in time.
    (Handing every page buffer back to the system instead, a fixed mmap threshold, saved
    ~35 MB but cost ~20 ms of page faults per page, ~2 % of a page's CPU time.)
    """
    if _LIBC is None:
        return False
    return _LIBC.mallopt(ctypes.c_int(_M_ARENA_MAX), ctypes.c_int(MALLOC_ARENAS)) == 1


def trim() -> None:
    """Give the free memory inside malloc's arenas back to the system (when the work runs out).

    A page leaves blocks freed between live ones (page buffers, OpenCV's, Python's); glibc
    returns only the top of an arena by itself. Not after every page: the next page would
    fault the same memory in again (~6 ms a page).
    """
    if _LIBC is not None:
        _LIBC.malloc_trim(ctypes.c_size_t(0))
