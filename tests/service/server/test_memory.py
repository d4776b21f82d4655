"""glibc's mmap threshold is fixed in every worker (service/server/memory.py), so large
blocks freed by a rebuild go back to the system instead of piling up in the heap.

Each case runs in a fresh interpreter: what a process has allocated before decides
what glibc does next. The workload is the soak's pattern in miniature: 1 MiB blocks
(the size of a feature matrix) freed and allocated again, with small objects kept
alive in between (as the rest of a worker's data is).
"""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from service.server.memory import fix_mmap_threshold

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="the mmap threshold is glibc's (Linux)",
)

WORKLOAD = """
import sys
from service.server.memory import fix_mmap_threshold
if sys.argv[1] == "fixed":
    assert fix_mmap_threshold()
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
first = bytearray(4 * 2**20); del first  # a freed large block: glibc raises its threshold
kept = []
for rebuild in range(3):
    blocks = []
    for _ in range(40):
        blocks.append(bytearray(2**20))
        kept.append(bytes(200))  # small and alive, between the large ones
    before_free = rss_mb()
    del blocks
print(round(before_free - rss_mb(), 1))
"""


def _returned_mb(mode: str) -> float:
    """MiB given back to the system when the last 40 MiB of large blocks were freed."""
    out = subprocess.run(
        [sys.executable, "-c", WORKLOAD, mode], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def test_the_threshold_is_fixed_here() -> None:
    assert fix_mmap_threshold()


def test_freed_large_blocks_go_back_to_the_system() -> None:
    default, fixed = _returned_mb("default"), _returned_mb("fixed")
    # glibc's default keeps them (the heap cannot shrink past the small objects); with
    # the threshold fixed each was its own mapping and went back when freed.
    assert default < 10 and fixed > 30, (default, fixed)
