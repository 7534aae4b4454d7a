"""The Dockerfile, .dockerignore and docker-compose.yml agree with the package and the
settings (no Docker engine needed: the files are read, not built)."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from claimscrub.workers.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined: (KEYWORD, rest)."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def _package_dirs() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return sorted(set(pyproject["tool"]["setuptools"]["package-dir"].values()))


def _ignored(path: str) -> bool:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(fnmatch.fnmatch(prefix, pattern) for pattern in patterns for prefix in prefixes)


def test_the_image_copies_every_package_folder_after_installing_the_dependencies() -> None:
    steps = _instructions()
    copied = [rest.split()[0] for keyword, rest in steps if keyword == "COPY"]
    for folder in [*_package_dirs(), "README.md"]:
        assert folder in copied, f"the Dockerfile does not copy {folder}"
        assert not _ignored(folder), f".dockerignore leaves out {folder}"
    first_source = min(
        i for i, (keyword, rest) in enumerate(steps) if keyword == "COPY" and "workers" in rest
    )
    dependencies = next(
        i for i, (keyword, rest) in enumerate(steps) if keyword == "RUN" and "constraints" in rest
    )
    assert dependencies < first_source
    assert "pyproject.toml constraints.txt" in steps[dependencies - 1][1]
    (package,) = [rest for keyword, rest in steps if keyword == "RUN" and "--no-deps" in rest]
    assert steps.index(("RUN", package)) > first_source


def test_the_image_runs_as_non_root_with_a_readiness_healthcheck() -> None:
    steps = dict(_instructions())
    assert steps["USER"].split(":")[0] != "0"
    assert "/readyz" in steps["HEALTHCHECK"]
    assert "CLAIMSCRUB_HTTP_PORT" in steps["HEALTHCHECK"]


def test_the_build_context_leaves_out_what_the_image_does_not_need() -> None:
    for path in (".git", ".venv", "tests", "bench/results", "claimscrub.egg-info",
                 "workers/__pycache__", ".mypy_cache", "docs"):  # fmt: skip
        assert _ignored(path), path


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"]


def test_compose_creates_the_default_topics_and_the_broker_creates_none() -> None:
    services = _compose()
    kafka = services["kafka"]
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert services["topics"]["image"] == kafka["image"]
    specs = re.search(r"for spec in ([^;]+);", " ".join(services["topics"]["command"]))
    assert specs is not None
    created = [spec.split(":")[0] for spec in specs.group(1).split()]
    defaults = Settings.model_construct().topics()
    assert sorted(created) == sorted([defaults.submitted, *defaults.results])


def test_compose_restarts_the_worker_after_the_topics_exist() -> None:
    worker = _compose()["worker"]
    assert worker["restart"] == "unless-stopped"
    assert worker["depends_on"]["topics"]["condition"] == "service_completed_successfully"
