"""``claim.invalid/v1``: the dead-letter event for a message that breaks the contract.

The raw bytes are kept so nothing is lost; that makes the invalid topic PHI-bearing. The
error texts never echo input values, so they are safe to log.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from claimscrub.contracts.scrubbed import derived_event_id


class MessageSource(BaseModel):
    """Where the message was read: a Kafka position, or a file and its record index."""

    model_config = ConfigDict(extra="forbid")

    topic: str
    partition: int | None = None
    offset: int | None = None
    key: str | None = None

    def derived_event_id(self) -> str:
        return derived_event_id(self.topic, self.partition, self.offset)


class ContractError(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str = Field(description="dotted location in the document; empty for the whole")
    message: str


class ClaimInvalid(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    schema_: Literal["claim.invalid/v1"] = Field("claim.invalid/v1", alias="schema")
    event_id: str
    received_at: datetime
    source: MessageSource
    errors: list[ContractError]
    raw: str
    raw_encoding: Literal["utf-8", "base64"]

    @classmethod
    def for_message(
        cls,
        raw: bytes,
        source: MessageSource,
        errors: list[ContractError],
        received_at: datetime,
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
        )
