"""workers.logging.redact_phi: patient fields are redacted by name at any depth, in
structlog calls and in stdlib records (FastStream, aiokafka); other fields are left be."""

from __future__ import annotations

from claimscrub.workers.observability.logging import (
    FASTSTREAM_LOGGER,
    REDACTED,
    get_logger,
    redact_phi,
)
from tests.logs import CapturedLogs


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


def test_the_rendered_lines_carry_no_patient_values(captured_logs: CapturedLogs) -> None:
    get_logger("test").info("claim", claim_id="CLM-1", patient={"last_name": "Diaz"})
    FASTSTREAM_LOGGER.warning("record", extra={"member_id": "1EG4TE5MK72"})

    lines = captured_logs.events()
    assert [line["event"] for line in lines] == ["claim", "record"]
    assert lines[0]["patient"] == REDACTED
    assert lines[0]["claim_id"] == "CLM-1"
    assert lines[1]["member_id"] == REDACTED
    assert "Diaz" not in captured_logs.text
    assert "1EG4TE5MK72" not in captured_logs.text
