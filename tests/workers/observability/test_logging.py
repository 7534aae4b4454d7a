"""workers.logging.redact_phi: patient fields are redacted by name at any depth, in
structlog calls and in stdlib records (FastStream, aiokafka); other fields are left be."""

from __future__ import annotations

import io
import json

from claimscrub.workers.observability.logging import (
    FASTSTREAM_LOGGER,
    REDACTED,
    configure_logging,
    get_logger,
    redact_phi,
)


def test_patient_fields_are_redacted_at_any_depth() -> None:
    event = redact_phi(
        None,
        "info",
        {
            "event": "oops",
            "claim_id": "CLM-1",
            "patient": {"member_id": "M1", "first_name": "Ana"},
            "claims": [{"claim_id": "CLM-2", "Member_ID": "M2", "payer": {"name": "Medicare"}}],
            "context": {"DOB": "1979-03-14", "birth_date": "1979-03-14", "rules": ("A", "B")},
        },
    )
    assert event == {
        "event": "oops",
        "claim_id": "CLM-1",
        "patient": REDACTED,
        "claims": [{"claim_id": "CLM-2", "Member_ID": REDACTED, "payer": {"name": "Medicare"}}],
        "context": {"DOB": REDACTED, "birth_date": REDACTED, "rules": ["A", "B"]},
    }


def test_the_rendered_lines_carry_no_patient_values() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)  # tests/conftest.py resets it afterwards
    get_logger("test").info("claim", claim_id="CLM-1", patient={"last_name": "Diaz"})
    FASTSTREAM_LOGGER.warning("record", extra={"member_id": "1EG4TE5MK72"})

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["event"] for line in lines] == ["claim", "record"]
    assert lines[0]["patient"] == REDACTED
    assert lines[0]["claim_id"] == "CLM-1"
    assert lines[1]["member_id"] == REDACTED
    assert "Diaz" not in stream.getvalue()
    assert "1EG4TE5MK72" not in stream.getvalue()
