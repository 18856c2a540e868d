"""Hand freed memory back to the system after a burst of large requests.

glibc keeps the memory a burst of ``rank-many`` requests freed in its arenas, so the
process stays at its peak size for ever. :func:`trim_memory` asks glibc to return it
(``malloc_trim(0)``); elsewhere (musl, macOS, Windows) it does nothing.

>>> trim_memory() in (True, False)
True
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import platform

__all__ = ["trim_memory"]


@functools.cache
def _malloc_trim():
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        fn = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return fn


def trim_memory() -> bool:
    """Return freed heap memory to the system where the C library can; whether it could."""
    fn = _malloc_trim()
    if fn is None:
        return False
    fn(0)
    return True
