"""``claim.submitted/v1``: the claim event a practice-management system publishes.

Every rule of CONTRACT.md that a document can break is checked here, so nothing malformed
reaches the scrubbers. Unknown fields are allowed (and kept by the engine in
``corrected_claim``); the models only read the fields the contract names.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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


class _Part(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow", frozen=True)


class Payer(_Part):
    id: NonEmptyStr
    name: str | None = None
    plan_type: PlanType


class Patient(_Part):
    """PHI. Validated, never logged; error texts never echo its values."""

    member_id: NonEmptyStr
    first_name: str | None = None
    last_name: str | None = None
    birth_date: IsoDate
    sex: Literal["F", "M", "U"]

    def __repr__(self) -> str:
        return "Patient(<redacted>)"

    __str__ = __repr__


class BillingProvider(_Part):
    npi: Npi
    tax_id: str | None = None
    name: str | None = None


class RenderingProvider(_Part):
    npi: Npi


class PriorAuthorization(_Part):
    number: NonEmptyStr
    hcpcs: Annotated[list[NonEmptyStr], Field(min_length=1)]
    units: PositiveNumber | None = None
    start: IsoDate
    end: IsoDate

    @model_validator(mode="after")
    def _start_not_after_end(self) -> PriorAuthorization:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self

    def covers(self, service_date: date) -> bool:
        return self.start <= service_date <= self.end


class LineDrug(_Part):
    name: str | None = None
    ndc: Annotated[str, Field(max_length=20)] | None = None
    ndc_quantity: PositiveNumber | None = None
    ndc_unit: NdcUnit | None = None
    administered: Amount | None = None
    discarded: Amount | None = None
    dose_unit: DoseUnit | None = None
    therapy_start_date: IsoDate | None = None


class Line(_Part):
    number: Annotated[int, Field(ge=1)]
    hcpcs: Hcpcs
    modifiers: list[str] = []
    units: PositiveNumber
    charge: Charge
    service_date: IsoDate
    diagnosis_pointers: Annotated[list[int], Field(min_length=1, max_length=4)]
    drug: LineDrug | None = None


class ClaimSubmitted(_Part):
    schema_: Literal["claim.submitted/v1"] = Field(alias="schema")
    event_id: NonEmptyStr
    claim_id: Annotated[str, Field(min_length=1, max_length=38)]
    revision: Annotated[int, Field(ge=1)]
    submitted_at: Timestamp
    source_system: str | None = None
    claim_type: Literal["professional"]
    payer: Payer
    patient: Patient
    billing_provider: BillingProvider
    rendering_provider: RenderingProvider | None = None
    place_of_service: Annotated[str, Field(pattern=r"^\d{2}$")]
    diagnoses: Annotated[list[NonEmptyStr], Field(min_length=1, max_length=12)]
    prior_authorizations: list[PriorAuthorization] = []
    attestations: list[str] = []
    lines: Annotated[list[Line], Field(min_length=1, max_length=50)]

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
