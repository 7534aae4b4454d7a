"""The scrub loop: run every check, apply the fixes, re-scrub until nothing is left to fix.

RULES.md, "How the engine runs": fixes are applied to a copy in rule-table order, each to
the claim as corrected so far; the loop stops at the first round without fixes (at most
five). The result reports every fix of every round once, and the holds and infos of the
last round, i.e. those that still apply to the corrected claim.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import orjson

from claimscrub.contracts import ClaimScrubbed, ClaimSubmitted, Finding, Submission, outcome_of
from claimscrub.contracts.decode import validate_claim
from claimscrub.contracts.scrubbed import derived_event_id
from claimscrub.scrubbers.context import ClaimContext
from claimscrub.scrubbers.findings import Flag
from claimscrub.scrubbers.patch import claim_patch
from claimscrub.scrubbers.reference import Reference
from claimscrub.scrubbers.rule_ids import RuleId

Check = Callable[[ClaimContext], Iterable[Flag]]
MAX_ROUNDS = 5


class FixBrokeContract(RuntimeError):
    """A correction produced a claim the contract rejects: a bug in a rule, never input."""


class Engine:
    def __init__(self, reference: Reference, checks: Iterable[Check]) -> None:
        self.reference = reference
        self.checks = tuple(checks)
        self.ruleset = reference.ruleset
        self._order = reference.catalog.order  # read once: cached properties lock per read

    def findings_for(
        self, claim: ClaimSubmitted, submitted: ClaimSubmitted | None = None
    ) -> list[Flag]:
        """One round: every check over one version of the claim (``submitted``: the claim
        as sent, when ``claim`` is a corrected one)."""
        context = ClaimContext(claim, self.reference, submitted)
        return [flag for check in self.checks for flag in check(context)]

    def scrub(self, submission: Submission, scrubbed_at: datetime) -> ClaimScrubbed:
        document, claim = submission.document, submission.claim
        reported_fixes: dict[tuple[str, int | None], Finding] = {}
        flags = self.findings_for(claim)
        for _ in range(MAX_ROUNDS):
            fixes = sorted((flag for flag in flags if flag.fix), key=self._fix_order)
            if not fixes:
                break
            if document is submission.document:  # one working copy for every round
                document = _copy(document)
            for flag in fixes:
                assert flag.fix is not None
                if flag.fix.apply(document):
                    key = (flag.finding.rule, flag.finding.line)
                    reported_fixes.setdefault(key, flag.finding)
            claim = self._revalidate(document, submission.claim.claim_id)
            flags = self.findings_for(claim, submission.claim)
        remaining = [flag.finding for flag in flags if flag.finding.severity != "fix"]
        if any(flag.fix for flag in flags):
            remaining.append(self._no_fixpoint())
        findings = sorted([*reported_fixes.values(), *remaining], key=self._report_order)
        fixed = bool(reported_fixes)
        return ClaimScrubbed(
            event_id=derived_event_id(submission.claim.event_id, self.ruleset),
            source_event_id=submission.claim.event_id,
            claim_id=submission.claim.claim_id,
            revision=submission.claim.revision,
            outcome=outcome_of(findings),
            findings=findings,
            corrected_claim=document if fixed else None,
            patch=claim_patch(submission.document, document) if fixed else None,
            ruleset=self.ruleset,
            scrubbed_at=scrubbed_at,
        )

    def _fix_order(self, flag: Flag) -> tuple[int, int]:
        return self._order[flag.finding.rule], flag.finding.line or 0

    def _report_order(self, finding: Finding) -> tuple[int, int]:
        return finding.line or 0, self._order[finding.rule]

    def _revalidate(self, document: dict[str, Any], claim_id: str) -> ClaimSubmitted:
        checked = validate_claim(document)
        if isinstance(checked, Submission):
            return checked.claim
        paths = ", ".join(f"{error.path}: {error.message}" for error in checked.errors)
        raise FixBrokeContract(f"claim {claim_id}: corrected claim breaks the contract ({paths})")

    def _no_fixpoint(self) -> Finding:
        info = self.reference.catalog.by_id[RuleId.ENGINE_NO_FIXPOINT]
        return Finding(
            rule=info.id,
            severity="hold",
            line=None,
            message=f"Fixes kept appearing after {MAX_ROUNDS} rounds; review the corrected "
            "claim by hand and report this claim to the claimscrub team.",
            reference=info.reference,
        )


def _copy(document: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = orjson.loads(orjson.dumps(document))
    return copied
