"""How the appliance's process holds memory: page-sized buffers go back to the system when freed."""
from __future__ import annotations

import ctypes

# mallopt(3) parameter number, from glibc's <malloc.h>.
_M_MMAP_THRESHOLD = -3
# A 300-dpi A4 page is ~8.7 MB of gray; the working copies of the imaging stage are ~1 MB.
# Anything this size or larger gets its own mapping, returned to the system when freed.
MMAP_THRESHOLD_BYTES = 1 << 20


def return_page_buffers() -> bool:
    """Fix glibc's mmap threshold so freed page buffers leave the process; False if not glibc.

    glibc raises the threshold to the largest block freed so far (up to 32 MB): after the
    first page every page-sized array comes from a malloc arena, one per thread (page workers,
    warm-up, OpenCV), and a freed one stays in its arena. With two page workers that kept
    ~55 MB more resident at the peak. Setting the threshold turns the sliding one off; the cost
    is a fresh zeroed mapping per page buffer (a few ms of a ~2 s page).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS): leave the allocator as it is
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
