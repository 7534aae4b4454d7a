"""Prints the golden tally as its own closing line: ``golden: N passed, M failed``."""

from __future__ import annotations

from typing import Any

import pytest

_tally = {"passed": 0, "failed": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and "test_golden_case" in report.nodeid:
        _tally["passed" if report.passed else "failed"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if sum(_tally.values()):
        terminalreporter.write_line(f"golden: {_tally['passed']} passed, {_tally['failed']} failed")
