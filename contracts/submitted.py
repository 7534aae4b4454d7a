"""``claim.submitted/v1``: the claim event a practice-management system publishes.

Every rule of docs/contract.md that a document can break is checked here, so nothing malformed
reaches the scrubbers. Unknown fields are allowed (and kept by the engine in
``corrected_claim``); the models only read the fields the contract names.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from claimscrub.contracts.types import (
    Amount,
    Charge,
    Hcpcs,
    IsoDate,
    NonEmptyStr,
    Npi,
    PositiveNumber,
    Timestamp,
)

PlanType = Literal["medicare", "medicare_advantage", "medicaid", "commercial"]
DoseUnit = Literal["mg", "mcg", "g", "mL", "IU", "dose"]
NdcUnit = Literal["UN", "ML", "GR", "ME", "F2"]


_NPI = (
    "10-digit National Provider Identifier. Its last digit must be the Luhn check digit "
    "computed over `80840` and the first nine digits (checked by the worker; JSON Schema "
    "cannot express it)."
)
_DATE = "a date, YYYY-MM-DD"


class _Part(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow", frozen=True)


class Payer(_Part):
    """The payer the claim is billed to."""

    id: NonEmptyStr = Field(description="the payer's id in the PM system, non-empty")
    name: str | None = Field(None, description="the payer's display name (optional)")
    plan_type: PlanType = Field(
        description="the kind of plan; selects the payer policy the rules apply (prior "
        "authorization list, NDC and JW/JZ requirements, site of care)"
    )


class Patient(_Part):
    """The patient: PHI. Validated, never logged, never in a metric; error texts never echo
    its values."""

    member_id: NonEmptyStr = Field(description="the member id on the patient's card, non-empty")
    first_name: str | None = Field(None, description="given name (optional)")
    last_name: str | None = Field(None, description="family name (optional)")
    birth_date: IsoDate = Field(description=f"date of birth, {_DATE}")
    sex: Literal["F", "M", "U"] = Field(description="`F`, `M` or `U` (unknown)")

    def __repr__(self) -> str:
        return "Patient(<redacted>)"

    __str__ = __repr__


class BillingProvider(_Part):
    """The provider that bills the claim (837P loop 2010AA)."""

    npi: Npi = Field(description=_NPI)
    tax_id: str | None = Field(
        None, description="the tax id (EIN or SSN) the provider bills under (optional)"
    )
    name: str | None = Field(None, description="the provider's name (optional)")


class RenderingProvider(_Part):
    """The provider who rendered the services, when not the billing provider."""

    npi: Npi = Field(description=_NPI)


class PriorAuthorization(_Part):
    """A prior authorization the payer granted for this patient."""

    number: NonEmptyStr = Field(description="the authorization number, non-empty")
    hcpcs: Annotated[list[NonEmptyStr], Field(min_length=1)] = Field(
        description="the codes it covers: at least one"
    )
    units: PositiveNumber | None = Field(
        None, description="the units it allows, > 0 (optional: absent means no limit)"
    )
    start: IsoDate | None = Field(
        None, description=f"the first date it covers, {_DATE}; absent: open (an 837P carries "
        "only the number)"
    )
    end: IsoDate | None = Field(
        None, description=f"the last date it covers (inclusive), {_DATE}; absent: open. A "
        "`start` after its `end` is not a contract error: the scrub reports it (AUTH.EXPIRED)"
    )

    @property
    def reversed(self) -> bool:
        """Keyed in reverse: ``start`` after ``end`` (it then covers no date)."""
        return self.start is not None and self.end is not None and self.start > self.end

    def covers(self, service_date: date) -> bool:
        return (self.start is None or self.start <= service_date) and (
            self.end is None or service_date <= self.end
        )

    @property
    def window(self) -> str:
        """``2026-09-01 to 2027-02-28``, with ``open`` for an absent date."""
        return f"{self.start or 'open'} to {self.end or 'open'}"


class LineDrug(_Part):
    """What was given on a drug line. Every field is optional; the rules say what a missing
    one means."""

    name: str | None = Field(None, description="the drug's name as written: generic or brand")
    ndc: Annotated[str, Field(max_length=20)] | None = Field(
        None,
        description="the National Drug Code as written, at most 20 characters; its shape is "
        "a scrub finding (`NDC.FORMAT`, `NDC.INVALID`), not a contract error",
    )
    ndc_quantity: PositiveNumber | None = Field(
        None, description="the quantity of the NDC package dispensed, > 0, in `ndc_unit`"
    )
    ndc_unit: NdcUnit | None = Field(
        None,
        description="the unit of `ndc_quantity` (837P LIN/CTP): `UN` unit, `ML` millilitre, "
        "`GR` gram, `ME` milligram, `F2` international unit",
    )
    administered: Amount | None = Field(
        None, description="the amount given to the patient, ≥ 0, in `dose_unit`"
    )
    discarded: Amount | None = Field(
        None, description="the amount discarded from the containers used, ≥ 0, in `dose_unit`"
    )
    dose_unit: DoseUnit | None = Field(
        None, description="the unit of `administered` and `discarded`"
    )
    therapy_start_date: IsoDate | None = Field(
        None, description=f"the first dose of this therapy, {_DATE}"
    )


class Line(_Part):
    """One service line (837P loop 2400)."""

    number: Annotated[int, Field(ge=1)] = Field(
        description="the line's number, ≥ 1; unique within the claim (checked by the worker; "
        "JSON Schema cannot express it). Findings name lines by it"
    )
    hcpcs: Hcpcs = Field(
        description="a HCPCS Level II code (`J2323`: a capital letter and four digits) or a "
        "CPT code (`96365`, `0001F`, `0500T`)"
    )
    modifiers: list[str] = Field(
        [], description="the modifiers as submitted; their validity is a scrub finding (`MOD.*`)"
    )
    units: PositiveNumber = Field(description="the billed units, > 0")
    charge: Charge = Field(
        description="the line's charge in dollars: a decimal string with exactly two places, "
        "≥ 0 (`7380.00`)"
    )
    service_date: IsoDate = Field(description=f"the date of service, {_DATE}")
    diagnosis_pointers: Annotated[list[int], Field(min_length=1, max_length=4)] = Field(
        description="1 to 4 positions in `diagnoses`, 1-based. A pointer outside 1..the number "
        "of diagnoses is not a contract error but a scrub finding (`DX.POINTER_INVALID`): "
        "JSON Schema cannot relate it to the list"
    )
    drug: LineDrug | None = Field(None, description="the drug given (drug lines only)")


class ClaimSubmitted(_Part):
    """A professional claim (837P / CMS-1500) that a practice-management system submits for
    scrubbing. Unknown fields are allowed: kept in `corrected_claim`, otherwise ignored."""

    schema_: Literal["claim.submitted/v1"] = Field(
        alias="schema", description="the event type: exactly `claim.submitted/v1`"
    )
    event_id: NonEmptyStr = Field(
        description="the producer's id for this event, non-empty and unique per published "
        "event; a result's `event_id` is derived from it, so consumers can drop duplicates"
    )
    claim_id: Annotated[str, Field(min_length=1, max_length=38)] = Field(
        description="the claim's id, 1 to 38 characters (the X12 CLM01 limit); also the "
        "message's Kafka key"
    )
    revision: Annotated[int, Field(ge=1)] = Field(
        description="1 for a first submission; a corrected resubmission has a higher revision"
    )
    submitted_at: Timestamp = Field(
        description="when the PM system submitted the claim: an RFC 3339 timestamp with "
        "seconds (a fraction optional) and `Z` or a `±HH:MM` offset, e.g. "
        "`2026-11-03T14:05:00Z`. No offset, `-0500` or a time without seconds is refused. "
        "The rules read its date in its own offset"
    )
    source_system: str | None = Field(
        None, description="the PM system that sent the claim (optional, free text)"
    )
    claim_type: Literal["professional"] = Field(
        description="`professional` (837P / CMS-1500); `institutional` is reserved for a "
        "later version and refused in v1"
    )
    payer: Payer = Field(description="who pays the claim")
    patient: Patient = Field(description="the patient (PHI)")
    billing_provider: BillingProvider = Field(description="the billing provider")
    rendering_provider: RenderingProvider | None = Field(
        None, description="the rendering provider (optional)"
    )
    place_of_service: Annotated[str, Field(pattern=r"^\d{2}$")] = Field(
        description="the CMS place-of-service code, two digits; whether it is a code in force "
        "is a scrub finding (`SITE.POS_INVALID`), not a contract error"
    )
    diagnoses: Annotated[list[NonEmptyStr], Field(min_length=1, max_length=12)] = Field(
        description="1 to 12 ICD-10-CM codes as the submitter wrote them (with or without the "
        "dot); their validity is a scrub finding (`DX.*`). Lines point into this list"
    )
    prior_authorizations: list[PriorAuthorization] = Field(
        [], description="the prior authorizations on file for the claim (default none)"
    )
    attestations: list[str] = Field(
        [],
        description="what the PM system asserts is documented in the chart: `rems_enrolled`, "
        "`site_of_care_exception`; other values are kept and ignored",
    )
    lines: Annotated[list[Line], Field(min_length=1, max_length=50)] = Field(
        description="1 to 50 service lines; each `number` unique within the claim (checked by "
        "the worker; JSON Schema cannot express it)"
    )

    model_config = ConfigDict(populate_by_name=True)

    @field_validator("claim_type", mode="before")
    @classmethod
    def _professional_only(cls, value: Any) -> Any:
        if value == "institutional":
            raise ValueError("institutional claims are reserved for a later contract version")
        return value

    @field_validator("lines")
    @classmethod
    def _line_numbers_unique(cls, lines: list[Line]) -> list[Line]:
        numbers = [line.number for line in lines]
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        if repeated:
            raise ValueError(f"line numbers must be unique; repeated: {repeated}")
        return lines

    def line(self, number: int) -> Line | None:
        return next((line for line in self.lines if line.number == number), None)
