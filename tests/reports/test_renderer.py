"""The render child: limits (time, memory), crashes and failures become RenderError, no process is left."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reports.renderer import RenderError, render_operation_summary, render_product, run_in_child

FUNCTIONS = "tests.reports.child_functions"


def gone(pid: int, within: float = 5.0) -> bool:
    """The process no longer exists, not even as a zombie (/proc/<pid> disappears when it is reaped)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            return True
        time.sleep(0.05)
    return False


def wait_for(path: Path, within: float = 30.0) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} was not written")


def test_a_child_returns_its_result_and_reports_progress():
    stages = []
    result, used = run_in_child(f"{FUNCTIONS}:echo", {"x": [1, 2]}, timeout=60, memory_mb=512,
                                progress=lambda fraction, stage: stages.append((fraction, stage)))
    assert result["echo"] == {"x": [1, 2]}
    assert result["pid"] != os.getpid()
    assert stages == [(0.5, "halfway")]
    assert used["peak_kb"] > 1000 and used["cpu_s"] >= 0
    assert gone(result["pid"])


def test_a_render_over_its_time_limit_is_killed_promptly(tmp_path):
    pid_file = tmp_path / "pid"
    started = time.monotonic()
    with pytest.raises(RenderError, match="timed out after 2 s"):
        run_in_child(f"{FUNCTIONS}:sleep_forever", {"pid_file": str(pid_file)}, timeout=2, memory_mb=512)
    assert time.monotonic() - started < 15
    assert gone(int(wait_for(pid_file)))


def test_a_timeout_also_ends_the_helpers_the_child_started(tmp_path):
    pid_file = tmp_path / "pids"
    with pytest.raises(RenderError, match="timed out"):
        run_in_child(f"{FUNCTIONS}:sleep_with_helper", {"pid_file": str(pid_file)}, timeout=3, memory_mb=512)
    child, helper = (int(pid) for pid in wait_for(pid_file).split())
    assert gone(child)
    assert gone(helper)


def test_a_render_over_its_memory_limit_fails_with_a_clear_message():
    started = time.monotonic()
    with pytest.raises(RenderError, match=r"out of memory \(limit 300 MB\)"):
        run_in_child(f"{FUNCTIONS}:allocate", None, timeout=60, memory_mb=300)
    assert time.monotonic() - started < 30


def test_an_error_at_the_memory_limit_is_reported_as_out_of_memory():
    """C code that cannot allocate may fail without a MemoryError (a SystemError from a cffi call): a failure
    at the limit says memory, not the C code's puzzle."""
    with pytest.raises(RenderError, match=r"out of memory \(limit 300 MB\)"):
        run_in_child(f"{FUNCTIONS}:fail_at_the_memory_limit", None, timeout=60, memory_mb=300)


@pytest.mark.parametrize(("function", "signal_name"), [("abort", "SIGABRT"), ("segfault", "SIGSEGV")])
def test_a_crashing_child_becomes_a_render_error(function, signal_name):
    with pytest.raises(RenderError, match=f"crashed \\({signal_name}\\)"):
        run_in_child(f"{FUNCTIONS}:{function}", None, timeout=60, memory_mb=512)


def test_an_exception_in_the_child_is_reported_with_its_message():
    with pytest.raises(RenderError, match="the render failed: ValueError: the template broke"):
        run_in_child(f"{FUNCTIONS}:fail", None, timeout=60, memory_mb=512)


def test_a_child_that_exits_without_a_result_is_reported():
    with pytest.raises(RenderError, match="exited with status 7 without a result"):
        run_in_child(f"{FUNCTIONS}:exit_quietly", None, timeout=60, memory_mb=512)


def test_a_context_that_is_not_plain_data_is_refused_before_any_process_starts():
    class Operation:  # what an ORM object would be
        pass

    with pytest.raises(TypeError):
        render_operation_summary({"title": Operation()})
    with pytest.raises(ValueError, match="unknown product"):
        render_product("minutes", {})


def test_a_real_render_over_its_memory_limit_raises_render_error():
    from reports import samples

    with pytest.raises(RenderError, match="memory"):
        render_operation_summary(samples.operation_summary(40), memory_mb=120, timeout=120)


def test_renders_from_several_threads_of_the_parent_do_not_interfere():
    results: dict[int, object] = {}

    def run(index: int) -> None:
        try:
            results[index] = run_in_child(f"{FUNCTIONS}:echo", index, timeout=60, memory_mb=512)[0]["echo"]
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion
            results[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results == {0: 0, 1: 1, 2: 2}


def test_a_caller_without_a_main_guard_can_render(tmp_path):
    """The child never re-runs the parent's __main__ (here a script read from stdin, with no guard)."""
    script = ("from reports.renderer import run_in_child\n"
              "print(run_in_child('tests.reports.child_functions:echo', 'hello', timeout=60, memory_mb=512)"
              "[0]['echo'])\n")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "hello"


def test_a_helper_never_outlives_the_render_child(tmp_path):
    pid_file = tmp_path / "pid"
    with pytest.raises(RenderError, match="exited with status 9"):
        run_in_child(f"{FUNCTIONS}:exit_leaving_a_helper", {"pid_file": str(pid_file)}, timeout=60, memory_mb=512)
    assert gone(int(wait_for(pid_file)))
