"""The wire format (docs/contract.md) as code: the three event types and the door into them."""

from claimscrub.contracts.decode import Rejected, Submission, decode_claim, validate_claim
from claimscrub.contracts.invalid import (
    ClaimInvalid,
    ContractError,
    DeadLetterReason,
    MessageSource,
)
from claimscrub.contracts.limits import Limits
from claimscrub.contracts.scrubbed import ClaimScrubbed, Finding, Outcome, Severity, outcome_of
from claimscrub.contracts.submitted import ClaimSubmitted, DoseUnit, Line, LineDrug, PlanType

__all__ = [
    "ClaimInvalid",
    "ClaimScrubbed",
    "ClaimSubmitted",
    "ContractError",
    "DeadLetterReason",
    "DoseUnit",
    "Finding",
    "Limits",
    "Line",
    "LineDrug",
    "MessageSource",
    "Outcome",
    "PlanType",
    "Rejected",
    "Severity",
    "Submission",
    "decode_claim",
    "outcome_of",
    "validate_claim",
]
