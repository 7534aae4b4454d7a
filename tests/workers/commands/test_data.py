"""``claimscrub data``: info names every table with its period, import rebuilds the shipped
bundle from the shipped sources byte for byte (same digest) and refuses a broken row with
file and line, check validates, and the worker's engine loads an imported bundle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from claimscrub.scrubbers.cms.bundle import shipped_bundle
from claimscrub.workers.commands.cli import main
from tests.scrubbers.cms.files import PRICING, SOURCES


def _digest(path: Path) -> str:
    digest: str = json.loads(path.read_text())["digest"]
    return digest


def test_info_lists_every_table_with_its_period_and_the_ruleset(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one table row per line
    assert main(["data", "info"]) == 0
    out = capsys.readouterr().out
    for table in ("asp_pricing", "ndc_crosswalk", "hcpcs", "noc"):
        assert table in out
    assert "2025-10-01 to 2025-12-31" in out
    assert "asp2025q4.hcpcs2025q3" in out


def test_import_of_the_shipped_sources_rebuilds_the_shipped_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "import", str(SOURCES), "--out", str(tmp_path)]) == 0
    assert _digest(tmp_path / "bundle.json") == _digest(shipped_bundle())
    assert f"CLAIMSCRUB_DATA_DIR={tmp_path}" in capsys.readouterr().out.replace("\n", "")
    assert main(["data", "check", str(tmp_path)]) == 0


def test_import_of_a_broken_row_fails_with_file_and_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = Path(shutil.copytree(SOURCES, tmp_path / "sources"))
    pricing = sources / PRICING
    lines = pricing.read_bytes().split(b"\r\n")
    lines[11] = b"J90,broken row" + b"," * 9
    pricing.write_bytes(b"\r\n".join(lines))
    out = tmp_path / "out"
    assert main(["data", "import", str(sources), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert "pricing.csv line 12" in error
    assert not (out / "bundle.json").exists()


def test_check_refuses_a_bundle_edited_by_hand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = json.loads(shipped_bundle().read_text())
    bundle["unit_sizes"]["J9035"] = [1.0, "mg"]
    (tmp_path / "bundle.json").write_text(json.dumps(bundle))
    assert main(["data", "check", str(tmp_path)]) == 1
    assert "bundle.json" in capsys.readouterr().err


def test_the_worker_settings_point_the_engine_at_an_imported_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(shipped_bundle(), tmp_path / "bundle.json")
    monkeypatch.setenv("CLAIMSCRUB_DATA_DIR", str(tmp_path))
    assert main(["data", "check"]) == 0
    assert str(tmp_path / "bundle.json") in capsys.readouterr().out.replace("\n", "")
