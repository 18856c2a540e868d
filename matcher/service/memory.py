"""Memory of a serving process: freed memory handed back, and the engine kept out of the collector's way.

glibc keeps the memory a burst of ``rank-many`` requests freed in its arenas, so the
process stays at its peak size for ever. :func:`trim_memory` asks glibc to return it
(``malloc_trim(0)``); elsewhere (musl, macOS, Windows) it does nothing.

A full collection of Python's cyclic garbage collector walks every object the process
holds, the engine's hundreds of thousands included: some 25-40 ms with the built-in
catalog, during which the worker answers nothing, so that every request waiting on it
takes that much longer (the tail of the latencies). :func:`settle_heap` warms the engine
(what it loads on first use), collects once and freezes what is left (:func:`gc.freeze`):
later collections walk only the objects created since, such as a request's.

>>> trim_memory() in (True, False)
True
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import functools
import gc
import platform
from typing import Any

__all__ = ["trim_memory", "settle_heap", "unsettle_heap"]


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


def settle_heap(engine: Any = None, freeze: bool = True) -> int:
    """Warm ``engine`` (one ranking, which loads the tokenizer, the glossary and the rules' tables),
    collect the garbage, and freeze every object left out of later collections (not with ``freeze=False``:
    the engine is only warmed); how many objects are frozen.

    For a serving process, once its engine is in place (again after a reload, after
    :func:`unsettle_heap`). A frozen object is never collected, even once unreferenced,
    which is why what the process holds at that moment must be what it keeps.

    >>> settle_heap() > 0
    True
    >>> unsettle_heap()
    """
    if engine is not None:
        from profiles.geography import gazetteer

        firm = {"municipality": gazetteer().records[0].code, "industry": "E24", "needs": ["subsidy"],
                "description": "Precision machining 精密加工の設備投資"}
        engine.rank(firm, as_of=dt.date.today())
    if freeze:
        gc.collect()
        gc.freeze()
    return gc.get_freeze_count()


def unsettle_heap() -> None:
    """Undo :func:`settle_heap` (before the engine is replaced, so that the old one can be collected)."""
    gc.unfreeze()
