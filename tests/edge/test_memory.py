"""The appliance's process shares its malloc arenas and gives freed memory back when idle."""
from __future__ import annotations

import subprocess
import sys

_CHECK = """
import os
from edge import memory

def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

assert memory.share_arenas()
blocks = [bytes(60_000) for _ in range(2_000)]  # 120 MB in blocks malloc keeps in its heap
last = blocks[-1]  # still in use: the heap's top cannot shrink past it
del blocks
before = resident()
memory.trim()
print(before - resident())
"""


def test_trim_gives_freed_memory_back():
    out = subprocess.run([sys.executable, "-c", _CHECK], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 80_000_000  # most of the 120 MB
