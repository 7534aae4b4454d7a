"""The worker's log lines as a test reads them, in the spirit of ``structlog.testing``:
``configure_logging`` itself, pointed at a buffer, so the lines pass through the same
processors (claim context, PHI redaction) and JSON renderer as in production.

tests/conftest.py undoes the configuration after each test (``_reset_logging``).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from claimscrub.workers.observability.logging import configure_logging


@dataclass(frozen=True)
class CapturedLogs:
    stream: io.StringIO = field(default_factory=io.StringIO)

    @property
    def text(self) -> str:
        """Everything logged, as rendered: for asserting what must never appear."""
        return self.stream.getvalue()

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """Each line parsed (every line is JSON), or only the lines of event ``name``."""
        lines = [json.loads(line) for line in self.text.splitlines()]
        return [line for line in lines if name is None or line["event"] == name]


def capture_logs(level: str = "INFO") -> CapturedLogs:
    """Route structlog and the stdlib loggers to a new buffer from now on."""
    captured = CapturedLogs()
    configure_logging(level, stream=captured.stream)
    return captured
