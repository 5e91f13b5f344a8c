"""The appliance's process gives a page's buffers back to the system when the page is done."""
from __future__ import annotations

import subprocess
import sys

_CHECK = """
import os
import numpy as np
from edge.memory import return_page_buffers

def resident():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

assert return_page_buffers()
for _ in range(3):  # left alone, glibc would serve the later pages from its heap, and keep them
    page = np.ones((3508, 2480), np.uint8)
    del page
page = np.ones((3508, 2480), np.uint8)
during = resident()
del page
print(during - resident())
"""


def test_a_freed_page_buffer_leaves_the_process():
    out = subprocess.run([sys.executable, "-c", _CHECK], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 8_000_000  # the whole 8.7 MB page
