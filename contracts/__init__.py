"""The wire format (CONTRACT.md) as code: the three event types and the door into them."""

from claimscrub.contracts.decode import Submission, decode_claim, validate_claim
from claimscrub.contracts.invalid import ClaimInvalid, ContractError, MessageSource
from claimscrub.contracts.scrubbed import ClaimScrubbed, Finding, Outcome, Severity, outcome_of
from claimscrub.contracts.submitted import ClaimSubmitted, Line, LineDrug, PlanType

__all__ = [
    "ClaimInvalid",
    "ClaimScrubbed",
    "ClaimSubmitted",
    "ContractError",
    "Finding",
    "Line",
    "LineDrug",
    "MessageSource",
    "Outcome",
    "PlanType",
    "Severity",
    "Submission",
    "decode_claim",
    "outcome_of",
    "validate_claim",
]
