"""JSON Schema for the three event types, generated from the models (the models are the
source of truth; the documents in ``docs/schemas`` are their published form).

Every rule the models check that JSON Schema can state is in the schema (patterns, lengths,
item counts, bounds, enums, formats); the ones it cannot (the NPI check digit, unique line
numbers, an authorization's ``end`` not before its ``start``) are named in the descriptions.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode
from pydantic_core import core_schema

from claimscrub.contracts.invalid import ClaimInvalid
from claimscrub.contracts.scrubbed import ClaimScrubbed
from claimscrub.contracts.submitted import ClaimSubmitted

EVENT_MODELS: dict[str, type[BaseModel]] = {
    "claim.submitted.v1": ClaimSubmitted,
    "claim.scrubbed.v1": ClaimScrubbed,
    "claim.invalid.v1": ClaimInvalid,
}


class _EventSchema(GenerateJsonSchema):
    """In an output schema every field the worker writes is required: it serializes them all,
    defaults included (``model_dump_json(by_alias=True)``), except a field it leaves out when
    empty (``exclude_if``: a dead letter's ``claim_id``)."""

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        if self.mode == "serialization" and field["type"] == "model-field":
            return field.get("serialization_exclude_if") is None
        return super().field_is_required(field, total)


def json_schemas() -> dict[str, dict[str, Any]]:
    """Schema per event type: what a producer may send (validation) for the input, what we
    emit (serialization) for the outputs."""
    schemas: dict[str, dict[str, Any]] = {}
    for name, model in EVENT_MODELS.items():
        mode: JsonSchemaMode = "validation" if model is ClaimSubmitted else "serialization"
        schema = model.model_json_schema(by_alias=True, mode=mode, schema_generator=_EventSchema)
        schema["$id"] = f"urn:claimscrub:schema:{name}"
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schemas[name] = schema
    return schemas
