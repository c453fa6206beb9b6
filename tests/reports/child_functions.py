"""Functions the renderer tests run in the render child (by name: "tests.reports.child_functions:...").

Each takes (payload, progress) like reports.assembly.render_payload.
"""
from __future__ import annotations

import ctypes
import os
import time
from pathlib import Path


def echo(payload, progress):
    progress(0.5, "halfway")
    return {"echo": payload, "pid": os.getpid()}


def sleep_forever(payload, progress):
    Path(payload["pid_file"]).write_text(str(os.getpid()))
    time.sleep(600)


def sleep_with_helper(payload, progress):
    """Fork a helper (as the annex renderer does) and sleep: a timeout must end both."""
    helper = os.fork()
    if helper == 0:
        time.sleep(600)
        os._exit(0)
    Path(payload["pid_file"]).write_text(f"{os.getpid()} {helper}")
    time.sleep(600)


def allocate(payload, progress):
    """Keep allocating 50 MB blocks until the memory limit stops it."""
    blocks = []
    for _ in range(400):
        blocks.append(bytearray(50 * 1024 * 1024))
    return len(blocks)


def abort(payload, progress):
    os.abort()


def segfault(payload, progress):
    ctypes.string_at(0)


def fail(payload, progress):
    raise ValueError("the template broke")


def exit_quietly(payload, progress):
    os._exit(7)


def exit_leaving_a_helper(payload, progress):
    """Fork a helper as the annex renderer does (it asks to die with its parent), then exit at once."""
    from reports.worker import die_with_parent

    parent = os.getpid()
    helper = os.fork()
    if helper == 0:
        die_with_parent(parent)
        time.sleep(600)
        os._exit(0)
    Path(payload["pid_file"]).write_text(str(helper))
    os._exit(9)


def fail_at_the_memory_limit(payload, progress):
    """Reach the memory limit, then fail as C code that cannot allocate may: SystemError, not MemoryError."""
    blocks = []
    try:
        while True:
            blocks.append(bytearray(10 * 1024 * 1024))
    except MemoryError:
        blocks.clear()
    raise SystemError("error return without exception set")
