"""JSON Schema for the three event types, generated from the models (the models are the
source of truth; the documents in ``docs/schemas`` are their published form)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from claimscrub.contracts.invalid import ClaimInvalid
from claimscrub.contracts.scrubbed import ClaimScrubbed
from claimscrub.contracts.submitted import ClaimSubmitted

EVENT_MODELS: dict[str, type[BaseModel]] = {
    "claim.submitted.v1": ClaimSubmitted,
    "claim.scrubbed.v1": ClaimScrubbed,
    "claim.invalid.v1": ClaimInvalid,
}


def json_schemas() -> dict[str, dict[str, Any]]:
    """Schema per event type: what a producer may send (validation) for the input, what we
    emit (serialization) for the outputs."""
    schemas: dict[str, dict[str, Any]] = {}
    for name, model in EVENT_MODELS.items():
        mode: JsonSchemaMode = "validation" if model is ClaimSubmitted else "serialization"
        schema = model.model_json_schema(by_alias=True, mode=mode)
        schema["$id"] = f"urn:claimscrub:schema:{name}"
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schemas[name] = schema
    return schemas
