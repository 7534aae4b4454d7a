"""The wheel installs one top-level package, ``claimscrub``, with everything it reads at
run time (reference data, example claims, the local broker script) inside it, so nothing
installed reaches into a checkout. Built from a copy of the tracked files, outside it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        if not (ROOT / name).exists():
            continue  # deleted in the working tree, not yet in the index
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    command = ["pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)]
    built = subprocess.run(
        [sys.executable, "-m", *command], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    (path,) = out.glob("claimscrub-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_installs_no_top_level_package_but_claimscrub(wheel: zipfile.ZipFile) -> None:
    top = {name.split("/")[0] for name in wheel.namelist()}
    assert {name for name in top if not name.endswith(".dist-info")} == {"claimscrub"}


def test_the_wheel_carries_what_the_code_reads_at_run_time(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for data in ("data/rules.toml", "data/code_sets.toml", "data/drugs/J2323.toml"):
        assert f"claimscrub/scrubbers/{data}" in names
    examples = [n for n in names if n.startswith("claimscrub/workers/commands/examples/")]
    assert len(examples) == len(list((ROOT / "workers/commands/examples").glob("*.json")))
    script = wheel.getinfo("claimscrub/workers/commands/kafka-local/kafka-local")
    assert script.external_attr >> 16 & 0o111, "kafka-local must stay executable"


def test_no_installed_module_locates_files_through_the_checkout() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("contracts", "scrubbers", "workers", "bench")
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "__file__" in line
    ]
    assert offenders == []
