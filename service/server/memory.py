"""The C allocator of a long-running worker: keep freed large blocks from piling up.

Every write moves the data version, and each worker then rebuilds its recommender
snapshots (feature matrices of partners x districts, about 1 MB each) and reloads its
reference data, freeing the previous ones. glibc serves a block of 128 KiB or more
with its own ``mmap`` and returns it to the system when freed, but it also raises that
threshold to the size of every such block freed (up to 32 MiB): from the first rebuild
on, the matrices come from the ordinary heap instead, and the heap cannot give memory
back past any small object still alive above it. The worker's resident memory then
grows with the number of rebuilds, although the Python objects alive stay the same
(docs/reliability.md, "Soak": +9 % in 5 minutes of load with tracemalloc flat, +1 %
with the threshold fixed).

:func:`fix_mmap_threshold` sets the threshold explicitly, which also turns the
raising off. Large blocks then always come from ``mmap`` and go back when freed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger("mitra.memory")

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, kept fixed


def fix_mmap_threshold(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold for this process; False where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018 (glibc only: musl has no such function)
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(M_MMAP_THRESHOLD, threshold))
    if not done:
        log.warning("could not fix the malloc mmap threshold")
    return done
