"""Render the products in a child process with a wall-time and a memory limit.

The parent (a web worker or a job thread: it may have threads) never forks itself: children come from
the multiprocessing fork server, a single-threaded process that has WeasyPrint and the templates
preloaded (reports.assembly), so a render starts warm; the fork server starts with the first render of
an app process and ends with it. Each child caps its address space (RLIMIT_AS) and runs in its own
process group; on timeout the whole group is killed and reaped. Any failure — timeout, out of memory,
a crash, an exception — raises RenderError with a message that says which, never hangs and leaves no
zombie. The operation summary uses two processes on a multi-core machine (the child and its annex
helper), each under the memory limit.
"""
from __future__ import annotations

import ctypes
import io
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.context import ForkServerProcess, set_spawning_popen
from typing import Any

from reports.worker import EXIT_OUT_OF_MEMORY, child_main

Progress = Callable[[float, str], None]

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 1024

MEMORY_SIGNALS = (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGTRAP)

_mp = multiprocessing.get_context("forkserver")
_mp.set_forkserver_preload(["reports.worker", "reports.assembly"])


class _Popen(popen_forkserver.Popen):
    """The fork server's Popen, minus the "main module" fix-up: multiprocessing would have every child
    re-run the parent's __main__ (gunicorn's script, pytest's, a script read from stdin — which fails)
    before it runs the target. The render child needs nothing from the parent's __main__. This is
    Python 3.11's Popen._launch with the two init_main_* entries dropped."""

    def _launch(self, process_obj) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_name", None)
        prep_data.pop("init_main_from_path", None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):  # noqa: N802 - the multiprocessing interface
        return _Popen(process_obj)


class RenderError(Exception):
    """A product could not be rendered; the message says why (for the job's status)."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    seconds: float  # wall time, child start included
    peak_memory_kb: int  # the child's peak resident set plus its annex helper's
    cpu_seconds: float  # CPU time of the child and its helper
    child_cpu_seconds: float = 0.0  # the child's own: it starts, ends and joins the render (its critical path)


def render_operation_summary(context: dict, *, timeout: float = DEFAULT_TIMEOUT,
                             memory_mb: int = DEFAULT_MEMORY_MB, progress: Progress | None = None) -> bytes:
    """The operation summary PDF of an OperationSummaryContext (reports/context.py)."""
    return render_product("operation_summary", context, timeout=timeout, memory_mb=memory_mb,
                          progress=progress).pdf


def render_conference_report(context: dict, *, timeout: float = DEFAULT_TIMEOUT,
                             memory_mb: int = DEFAULT_MEMORY_MB, progress: Progress | None = None) -> bytes:
    """The conference report PDF of a ConferenceReportContext (reports/context.py)."""
    return render_product("conference_report", context, timeout=timeout, memory_mb=memory_mb,
                          progress=progress).pdf


def render_product(product: str, context: dict, *, timeout: float = DEFAULT_TIMEOUT,
                   memory_mb: int = DEFAULT_MEMORY_MB, progress: Progress | None = None,
                   part_rows: int | None = None, parallel: bool | None = None) -> Rendered:
    """Render `product` ("operation_summary" or "conference_report") and return the PDF with its page
    count, wall time and the child's peak memory. The context must be plain JSON data: it is
    serialised here, so an ORM object or a datetime is a TypeError before any process starts.
    `part_rows` (annex rows per part) and `parallel` (a helper process for the annex; default: when
    more than one core is available) tune the operation summary's rendering."""
    if product not in ("operation_summary", "conference_report"):
        raise ValueError(f"unknown product {product!r}")
    payload = {"product": product, "context": json.dumps(context, ensure_ascii=False, allow_nan=False)}
    if part_rows is not None:
        payload["part_rows"] = int(part_rows)
    if parallel is not None:
        payload["parallel"] = bool(parallel)
    started = time.perf_counter()
    (pdf, pages), used = run_in_child("reports.assembly:render_payload", payload, timeout=timeout,
                                      memory_mb=memory_mb, progress=progress)
    return Rendered(pdf=pdf, pages=pages, seconds=time.perf_counter() - started, peak_memory_kb=used["peak_kb"],
                    cpu_seconds=used["cpu_s"], child_cpu_seconds=used["own_cpu_s"])


def start_fork_server() -> None:
    """Start the fork server if it is not running, without waiting for it: it preloads WeasyPrint (about
    two seconds of imports) while the caller does other work, such as building the context from the
    database, and the render that follows starts warm."""
    forkserver.ensure_running()


def run_in_child(target: str, payload: Any, *, timeout: float, memory_mb: int,
                 progress: Progress | None = None) -> tuple[Any, dict]:
    """Run the function named by `target` ("module:function") as function(payload, progress) in a fresh
    child under the limits; return (its result, {"peak_kb", "cpu_s"} of the child and its helpers).
    The parent never imports the target's module (WeasyPrint stays out of the app's memory)."""
    parent_conn, child_conn = _mp.Pipe(duplex=False)
    process = _Process(target=child_main, args=(child_conn, target, payload, memory_mb), name="elix-render",
                       daemon=True)
    deadline = time.monotonic() + timeout
    process.start()
    child_conn.close()  # the child holds the only write end: its death is an EOF here
    reported = 0.0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not parent_conn.poll(remaining):
                raise RenderError(f"the render timed out after {timeout:g} s")
            try:
                message = parent_conn.recv()
            except EOFError:
                raise RenderError(_death_message(process, memory_mb, deadline)) from None
            if message[0] == "progress":
                # Two processes may report (the child and its helper): pass progress on forwards only.
                if progress is not None and message[1] >= reported:
                    reported = message[1]
                    progress(message[1], message[2])
            elif message[0] == "done":
                return message[1], message[2]
            elif message[1] == "memory":
                raise RenderError(f"the render ran out of memory (limit {memory_mb} MB)")
            else:
                raise RenderError(f"the render failed: {message[2]}")
    finally:
        parent_conn.close()
        _end(process)
        _release_freed_memory()


def _death_message(process, memory_mb: int, deadline: float) -> str:
    process.join(max(0.0, min(5.0, deadline - time.monotonic())))
    code = process.exitcode
    if code is None:
        return "the render process closed its pipe and stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        # C libraries that cannot allocate crash rather than raise (GLib's g_error is a SIGTRAP).
        hint = " (it may have reached its memory limit)" if -code in MEMORY_SIGNALS else ""
        return f"the render process crashed ({name}){hint}; memory limit {memory_mb} MB"
    if code == EXIT_OUT_OF_MEMORY:
        return f"the render ran out of memory (limit {memory_mb} MB)"
    return f"the render process exited with status {code} without a result"


def _release_freed_memory() -> None:
    """Give the heap pages freed since the render (the serialised context, the received PDF's buffers)
    back to the system: glibc keeps large freed blocks otherwise, and the app would look grown."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _end(process) -> None:
    """Kill the child's process group if it still runs, and reap the child (no zombie)."""
    if process.exitcode is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the child made itself a group leader
        except (ProcessLookupError, PermissionError):
            pass
        if process.exitcode is None:
            process.kill()
    process.join(10)
    if process.exitcode is not None:
        process.close()
