"""The benchmark runs end to end against the real broker and writes every figure.

Times are never asserted (CI machines vary); only that each figure was measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.golden import CASES_PATH


@pytest.mark.integration
def test_bench_smoke_writes_every_figure(kafka_bootstrap: str, tmp_path: Path) -> None:
    latest = tmp_path / "latest.json"
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    golden = str(CASES_PATH)
    command = ["-m", "claimscrub.bench", "--smoke", "--golden", golden, "--out", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(latest.read_text())
    measured = [
        figures["engine"]["golden"]["claims_per_s"],
        figures["engine"]["generated"]["claims_per_s"],
        figures["end_to_end"]["worker_claims_per_s"],
        figures["end_to_end"]["passthrough_claims_per_s"],
        figures["latency"]["p99_ms"],
        figures["latency_at_half_capacity"]["p99_ms"],
        figures["engine"]["golden_without_rules"]["claims_per_s"],
        figures["scaling"]["two_workers_claims_per_s"],
    ]
    assert all(value > 0 for value in measured), figures
    assert len(done.stdout.strip().splitlines()) >= 13  # one line per figure
