"""The fuzz tests send each request in an application context of its own, as the API tests do, and the
schemathesis run ends with a summary: operations, requests per operation, statuses."""
from __future__ import annotations

from collections import Counter

from tests.api.conftest import api, client, unchanged  # noqa: F401  (fixtures shared with tests/api)

# test id ("test_officer_with_a_read_write_token[GET /seizures]") -> requests sent, statuses answered
FUZZ_RUNS: dict[str, tuple[int, Counter]] = {}


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    if not FUZZ_RUNS:
        return
    counts = sorted(sent for sent, _ in FUZZ_RUNS.values())
    statuses = sum((answered for _, answered in FUZZ_RUNS.values()), Counter())
    operations = {name.partition("[")[2].rstrip("]") for name in FUZZ_RUNS}
    terminalreporter.write_sep("-", "schemathesis")
    terminalreporter.write_line(
        f"{len(operations)} operations, {len(FUZZ_RUNS)} runs (operation x caller), {sum(counts)} requests; "
        f"per run min {counts[0]}, median {counts[len(counts) // 2]}, max {counts[-1]}")
    terminalreporter.write_line("statuses: " + ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items())))
