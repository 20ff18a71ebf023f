"""Keep freed tensor memory in the process, so that training steps stop page-faulting it back in."""
from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's <malloc.h>
M_MMAP_THRESHOLD = -3
# glibc's own adaptive thresholds stop growing at 32 MB (mmap) and twice that (trim) on 64-bit machines.
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 2 * MMAP_THRESHOLD_BYTES


def keep_freed_memory() -> None:
    """Have glibc reuse freed blocks of up to 32 MB instead of handing them back to the kernel, as its adaptive
    thresholds would only after the first large free: until then every step page-faults its activations back
    in (bench/README.md). Elsewhere than Linux/glibc, nothing changes."""
    if not sys.platform.startswith("linux"):
        return
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
