"""The security suite prints the size of the leak matrix it ran (docs/security.md quotes it)."""
from __future__ import annotations

MATRIX_MODULES = ("tests/security/test_leak_matrix.py", "tests/security/test_leak_products.py",
                  "tests/security/test_leak_audit.py")


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    by_outcome = {outcome: [r for r in terminalreporter.stats.get(outcome, [])
                            if getattr(r, "when", "call") == "call" and r.nodeid.startswith(MATRIX_MODULES)]
                  for outcome in ("passed", "failed")}
    ran = sum(len(reports) for reports in by_outcome.values())
    if ran:
        terminalreporter.write_line(
            f"leak matrix: {ran} cases run ({len(by_outcome['passed'])} passed, {len(by_outcome['failed'])} failed)")
