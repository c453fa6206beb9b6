"""The render child: runs in a process forked from the multiprocessing fork server, applies its memory
limit, runs the job named "module:function" and sends the result (or the failure) back over its pipe.

This module stays light (the parent imports it); the fork server preloads reports.assembly, which
brings WeasyPrint, fontconfig, the templates and the base map, so each child starts warm.
"""
from __future__ import annotations

import ctypes
import errno
import gc
import importlib
import os
import resource
import signal
import traceback
from typing import Any

EXIT_OUT_OF_MEMORY = 3
EXIT_FAILED = 4
M_ARENA_MAX = -8  # glibc's mallopt parameter
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def set_memory_limit(memory_mb: int) -> None:
    """Cap the address space; allocations beyond it fail (MemoryError in Python code, a crash in some C
    code). One malloc arena: the arenas glibc reserves for threads (Pango starts one) would otherwise
    take 64 MB of address space each."""
    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1)
    except (OSError, AttributeError):  # not glibc
        pass
    limit = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def die_with_parent(parent: int | None = None) -> None:
    """Linux: be killed when the parent process ends (the fork server ends with the app process, a
    helper's parent is the render child), so that no render outlives the app that asked for it.
    `parent` is the pid the parent had before the fork: if it is already gone, exit now."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux
        pass
    if parent is not None and os.getppid() != parent:  # it ended before prctl took effect
        os._exit(1)


def usage() -> dict:
    """Peak resident set (KiB) and CPU time (s) of this process plus the helper processes it waited for
    (they run at the same time, so the peaks add up), and this process's own CPU time."""
    own, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"peak_kb": own.ru_maxrss + helpers.ru_maxrss,
            "cpu_s": own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime,
            "own_cpu_s": own.ru_utime + own.ru_stime}


def child_main(conn, target: str, payload: Any, memory_mb: int) -> None:
    """Entry point of the child: `target` is "module:function", called as function(payload, progress).
    Messages to the parent: ("progress", fraction, stage)..., then ("done", result, usage()) or
    ("error", kind, message)."""
    os.setpgrp()  # its own process group, so the parent can end it with any helpers it started
    die_with_parent()
    failure = None
    try:
        set_memory_limit(memory_mb)
        module, _, name = target.partition(":")
        function = getattr(importlib.import_module(module), name)

        def progress(fraction: float, stage: str) -> None:
            conn.send(("progress", float(fraction), str(stage)))

        result = function(payload, progress)
    except MemoryError:
        failure = ("memory", EXIT_OUT_OF_MEMORY, f"out of memory (limit {memory_mb} MB)")
    except OSError as exc:
        if exc.errno == errno.ENOMEM:
            failure = ("memory", EXIT_OUT_OF_MEMORY, f"out of memory (limit {memory_mb} MB)")
        else:
            failure = ("failed", EXIT_FAILED, _describe(exc))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent as a message
        if _reached_memory_limit(memory_mb):
            # C code that cannot allocate does not always raise MemoryError: it may return an error
            # without an exception (SystemError) or fail a call. Near the limit, say so.
            failure = ("memory", EXIT_OUT_OF_MEMORY, f"out of memory (limit {memory_mb} MB): {_describe(exc)}")
        else:
            failure = ("failed", EXIT_FAILED, _describe(exc))
    if failure is None:
        conn.send(("done", result, usage()))
        return
    gc.collect()  # the failed render's objects are unreachable now: room to send the message
    kind, code, message = failure
    _send_quietly(conn, ("error", kind, message))
    os._exit(code)


def _reached_memory_limit(memory_mb: int, margin: float = 0.9) -> bool:
    """Whether this process's address space peaked within 10 % of its limit (VmPeak, Linux)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) >= margin * memory_mb * 1024
    except OSError:
        pass
    return False


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]


def _send_quietly(conn, message: tuple) -> None:
    try:
        conn.send(message)
    except BaseException:  # noqa: BLE001 - the exit code still tells the parent what happened
        pass
