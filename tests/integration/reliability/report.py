"""Numbers a reliability test measured (duplicates, timings), shown in the test output
even when pytest captures it, and kept as a junit property."""

from __future__ import annotations

import pytest


def report(request: pytest.FixtureRequest, **numbers: object) -> None:
    text = ", ".join(f"{name}={value}" for name, value in numbers.items())
    for name, value in numbers.items():
        request.node.user_properties.append((name, value))
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    # pytest captures file descriptor 1 while a test runs; this line is for the CI log.
    with capture.global_and_fixture_disabled():
        reporter.ensure_newline()
        reporter.write_line(f"[reliability] {request.node.name}: {text}")
