"""The checks the engine runs, in RULES.md's table order, and the engine built from them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from claimscrub.scrubbers.engine import Check, Engine
from claimscrub.scrubbers.reference import load_reference
from claimscrub.scrubbers.rules import (
    administration,
    authorization,
    claim,
    code,
    diagnosis,
    modifiers,
    ndc,
    site,
    units,
)

CHECKS: tuple[Check, ...] = (
    code.check,
    units.check,
    modifiers.check,
    ndc.check,
    authorization.check,
    site.check,
    diagnosis.check,
    administration.check,
    claim.check,
)


@cache
def default_engine(cms_bundle: Path | None = None) -> Engine:
    """The engine over the packaged reference data and the shipped CMS bundle, or the bundle
    at ``cms_bundle`` (``claimscrub data import``); built once per process and bundle."""
    return Engine(load_reference(cms_bundle=cms_bundle), CHECKS)
