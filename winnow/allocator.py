"""Keep the memory a batch frees for the next batch, instead of handing it back to the kernel.

Labelling a batch makes numpy temporaries of a few megabytes each. glibc
serves blocks that large from fresh pages (mmap) and gives them back when
they are freed, or trims them off its heap, so every new one is faulted in
again page by page: about a tenth of the time of a batch of 256 pages
(median of 40 passes over 300 test pages: 191 ms as glibc comes, 169-176 ms
with these thresholds; the peak memory was the same). Raising the two
thresholds keeps freed blocks in the heap for re-use.

It is a setting of the whole process, so the library does not make it on
import: the command line does (`winnow.cli`), for every command, the
server's workers included; a program that labels many batches through the
Python API may call `keep_freed_memory` itself.
"""
from __future__ import annotations

import ctypes

_M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 << 20
"""Blocks up to this size come from the heap, where a freed one can be used again."""
TRIM_THRESHOLD = 1 << 30
"""Free memory at the top of the heap up to this size is kept rather than given back."""


def keep_freed_memory() -> bool:
    """Set glibc's thresholds so that freed blocks are re-used; False where the C library is not
    glibc (nothing is changed there)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
