"""Keep the memory a batch frees for the next batch, instead of handing it back to the kernel; or,
for a server, hand it back after a large request.

Labelling a batch makes numpy temporaries of a few megabytes each. glibc
serves blocks that large from fresh pages (mmap) and gives them back when
they are freed, or trims them off its heap, so every new one is faulted in
again page by page: about a tenth of the time of a batch of 256 pages
(median of 40 passes over 300 test pages in one thread: 191 ms as glibc
comes, 169-176 ms with these thresholds, the peak memory the same).
Raising the two thresholds keeps freed blocks in the heap for re-use.

It is a setting of the whole process, so the library does not make it on
import: the command line does (`winnow.cli`), for the commands that label
batches in one thread. Not for the server: each of its threads has a heap
(arena) of its own, and each would keep what it freed. A program that
labels many batches through the Python API may call `keep_freed_memory`.

The server goes the other way (`release_freed_memory`): after a request
that labelled many paragraphs, what its thread's heap freed is handed back,
else each thread would keep the peak of the largest request it served.
"""
from __future__ import annotations

import ctypes
import sys

_M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLDS = (256 << 20, 32 << 20)
"""Blocks up to this size come from the heap, where a freed one can be used again: the first that
glibc takes (some versions refuse more than 32 MB)."""
TRIM_THRESHOLD = 1 << 30
"""Free memory at the top of the heap up to this size is kept rather than given back."""


def _glibc_function(name: str):
    """A function of glibc, or None where the C library is another one."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> bool:
    """Hand the memory freed in every thread's heap back to the kernel (glibc's ``malloc_trim``);
    False where the C library is not glibc, or had nothing to hand back."""
    trim = _glibc_function("malloc_trim")
    if trim is None:
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return bool(trim(0))


def keep_freed_memory() -> bool:
    """Set glibc's thresholds so that freed blocks are re-used; False where the C library is not
    glibc, or refuses them.

    The trim threshold is only raised once the mmap threshold is: alone, it
    would send every block to mmap, which is slower than glibc as it comes.
    """
    mallopt = _glibc_function("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    if not any(mallopt(_M_MMAP_THRESHOLD, threshold) for threshold in MMAP_THRESHOLDS):
        return False
    return bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
