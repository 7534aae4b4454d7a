"""Properties over generated valid claims: the engine never raises, the outcome follows the
severities, the patch turns the submitted claim into the corrected one, and fixes converge.

The codes, NDCs and names mix the reviewed packs with codes only the CMS files describe
(bevacizumab J9035 10 mg, pembrolizumab J9271, denosumab J0897, Rhophylac J2791 in IU,
darbepoetin under J0881/J0882, a typo J2332, a retired J2930) and a family name, so the
catalogued paths (crosswalk identification, ASP unit sizes, CODE.UNKNOWN) are exercised."""

from __future__ import annotations

from typing import Any

import jsonpatch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimscrub.contracts import outcome_of
from tests.claims import claim, scrub

CODES = [
    *("J2323", "Q5134", "J2329", "J2315", "J2320", "J2327", "J1322", "J3590", "J9999", "96365"),
    *("J9035", "J9271", "J0897", "J2791", "J0881", "J0882", "J2332", "J2930", "J3490", "99214"),
]
NAMES = [
    "natalizumab",
    "Tysabri",
    "natalizumab-sztn",
    "Briumvi",
    "naltrexone",
    "nandrolone",
    "Skyrizi",
    "Vimizim",
    "dupilumab",
    "Kebilidi",
    "aspirin",
    " TYSABRI ",
]
NDCS = [
    "64406-0008-01",
    "64406-008-01",
    "6440600801",
    "0024-5911-01",
    "73150-0150-06",
    "65757-300-01",
    "52856-0601-01",
    "99999-9999-99",
    "64406000801",
    "50242-0061-01",
    "00006-3026-02",
    " 50242-0061-01",
    "00074-5015-01",
    "68135-0100-01",
    "55513-0002-04",
    "abc",
    "",
]
MODIFIERS = ["JZ", "JW", "jz", "25", "59", "XU", "GP", "KX", "POS", "J", "SL"]
DX = ["G35.A", "G35", "G35.9", "K50.90", "J45.50", "F10.20", "E76.210", "L20.9", "D63.1"]

amounts = st.one_of(st.none(), st.integers(0, 1500), st.sampled_from([0.5, 4.5, 0.3, 46.0]))


@st.composite
def lines(draw: st.DrawFn, number: int) -> dict[str, Any]:
    line: dict[str, Any] = {
        "number": number,
        "hcpcs": draw(st.sampled_from(CODES)),
        "modifiers": draw(st.lists(st.sampled_from(MODIFIERS), max_size=5)),
        "units": draw(st.one_of(st.integers(1, 1500), st.sampled_from([0.5, 2.5, 299.5]))),
        "charge": draw(st.sampled_from(["0.00", "1840.00", "7380.00", "10.01"])),
        "service_date": draw(st.sampled_from(["2026-11-02", "2023-03-15", "2023-07-01"])),
        "diagnosis_pointers": draw(st.lists(st.integers(0, 4), min_size=1, max_size=4)),
    }
    if draw(st.booleans()):
        drug = {
            "name": draw(st.one_of(st.none(), st.sampled_from(NAMES))),
            "ndc": draw(st.one_of(st.none(), st.sampled_from(NDCS))),
            "administered": draw(amounts),
            "discarded": draw(amounts),
            "dose_unit": draw(st.sampled_from(["mg", "mcg", "g", "mL", "IU", "dose"])),
            "therapy_start_date": draw(st.sampled_from(["2025-01-10", "2026-10-20"])),
        }
        line["drug"] = {key: value for key, value in drug.items() if value is not None}
    return line


@st.composite
def claims(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 4))
    return claim(
        *[draw(lines(number)) for number in range(1, count + 1)],
        payer={
            "id": "P",
            "plan_type": draw(
                st.sampled_from(["medicare", "medicare_advantage", "medicaid", "commercial"])
            ),
        },
        place_of_service=draw(st.sampled_from(["11", "19", "22", "21", "90", "66"])),
        diagnoses=draw(st.lists(st.sampled_from(DX), min_size=1, max_size=3)),
        attestations=draw(st.lists(st.sampled_from(["rems_enrolled", "site_of_care_exception"]))),
        prior_authorizations=draw(
            st.sampled_from(
                [
                    [],
                    [
                        {
                            "number": "PA-1",
                            "hcpcs": ["J2323", "J1322"],
                            "units": 300,
                            "start": "2026-09-01",
                            "end": "2027-02-28",
                        }
                    ],
                ]
            )
        ),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims())
def test_engine_invariants(document: dict[str, Any]) -> None:
    result = scrub(document)
    assert result.outcome == outcome_of(result.findings)
    fixes = [f for f in result.findings if f.severity == "fix"]
    assert (result.corrected_claim is not None) == bool(fixes)
    if result.corrected_claim is None:
        return
    assert jsonpatch.apply_patch(document, result.patch or []) == result.corrected_claim
    assert "ENGINE.NO_FIXPOINT" not in [f.rule for f in result.findings]
    again = scrub(result.corrected_claim)
    assert [f.rule for f in again.findings if f.severity == "fix"] == []
