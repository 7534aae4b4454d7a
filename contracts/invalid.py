"""``claim.invalid/v1``: the dead-letter event for a message that never became a result.

The raw bytes are kept so nothing is lost; that makes the invalid topic PHI-bearing. The
error texts never echo input values, so they are safe to log. ``reason`` is the one
machine-readable cause (an enum, also the ``reason`` label of the dead-letter metric), so
nothing downstream reads the English texts back.
"""

from __future__ import annotations

import base64
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from claimscrub.contracts.scrubbed import derived_event_id


class DeadLetterReason(StrEnum):
    """Why a message was dead-lettered (docs/contract.md, ``claim.invalid/v1``)."""

    NOT_JSON = "not_json"
    TOO_LARGE = "too_large"
    TOO_DEEP = "too_deep"
    CONTRACT = "contract"
    ENGINE_ERROR = "engine_error"
    RESULT_TOO_LARGE = "result_too_large"
    X12_INVALID = "x12_invalid"
    X12_UNMAPPABLE = "x12_unmappable"


class MessageSource(BaseModel):
    """Where the message was read: a Kafka position, or a file and its record index."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(description="the topic the message was read from (or `file:PATH`)")
    partition: int | None = Field(None, description="its partition; null for a file")
    offset: int | None = Field(None, description="its offset (a file: the record's index)")
    key: str | None = Field(
        None, description="its Kafka key as text (undecodable bytes backslash-escaped)"
    )

    def derived_event_id(self) -> str:
        return derived_event_id(self.topic, self.partition, self.offset)


class ContractError(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str = Field(description="dotted location in the document; empty for the whole")
    message: str = Field(description="what is wrong, never quoting the value")


class ClaimInvalid(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal["claim.invalid/v1"] = Field(
        "claim.invalid/v1", alias="schema", description="the event type"
    )
    event_id: str = Field(
        description="UUID v5 of the message's topic, partition and offset: a redelivered "
        "message gives the same id"
    )
    received_at: datetime = Field(description="when the worker read the message")
    source: MessageSource = Field(description="where the message was read")
    errors: list[ContractError] = Field(description="every reason the message was refused")
    raw: str = Field(
        description="the original message value: text when it is UTF-8, else base64; empty "
        "only when even the dead letter would exceed the size limit (an error says so)"
    )
    raw_encoding: Literal["utf-8", "base64"] = Field(description="how `raw` is written")
    reason: DeadLetterReason = Field(description="the one machine-readable cause")
    claim_id: str | None = Field(
        None,
        exclude_if=lambda value: value is None,
        description="the message's top-level `claim_id`, when it is a JSON object with a "
        "string one; absent otherwise",
    )

    @classmethod
    def for_message(
        cls,
        raw: bytes,
        source: MessageSource,
        errors: list[ContractError],
        received_at: datetime,
        *,
        reason: DeadLetterReason,
        claim_id: str | None = None,
    ) -> ClaimInvalid:
        encoding: Literal["utf-8", "base64"]
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = base64.b64encode(raw).decode("ascii"), "base64"
        return cls(
            event_id=source.derived_event_id(),
            received_at=received_at,
            source=source,
            errors=errors,
            raw=text,
            raw_encoding=encoding,
            reason=reason,
            claim_id=claim_id,
        )
