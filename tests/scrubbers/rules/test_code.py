"""CODE.*: which drug a line is, and whether its code is the one that describes it."""

from __future__ import annotations

from tests.claims import claim, drug_line, rules, scrub


def test_noc_code_for_a_drug_with_its_own_code_is_recoded() -> None:
    result = scrub(claim(drug_line(hcpcs="J3590", units=1)))
    assert "CODE.DRUG_MISMATCH" in rules(result, "fix")
    assert result.corrected_claim is not None
    line = result.corrected_claim["lines"][0]
    assert (line["hcpcs"], line["units"]) == ("J2323", 300)


def test_brand_name_alone_identifies_the_drug() -> None:
    result = scrub(claim(drug_line(hcpcs="J2329", units=30, name="Tysabri", ndc=None)))
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["hcpcs"] == "J2323"


def test_natalizumab_is_not_its_biosimilar() -> None:
    result = scrub(claim(drug_line(hcpcs="Q5134", ndc=None)))
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["hcpcs"] == "J2323"


def test_ndc_wins_over_the_name() -> None:
    result = scrub(claim(drug_line(name="Briumvi")))
    assert "CODE.DRUG_MISMATCH" not in rules(result)


def test_unlisted_ndc_leaves_the_name_to_decide() -> None:
    result = scrub(claim(drug_line(hcpcs="J2329", units=30, ndc="12345-6789-01")))
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["hcpcs"] == "J2323"


def test_waste_line_is_recoded_with_its_administered_line() -> None:
    administered = drug_line(hcpcs="J2329", units=25, administered=250, discarded=50, modifiers=[])
    waste = drug_line(
        number=2,
        hcpcs="J2329",
        units=5,
        charge="1230.00",
        administered=0,
        discarded=50,
        modifiers=["JW"],
    )
    result = scrub(claim(administered, waste))
    assert result.corrected_claim is not None
    lines = result.corrected_claim["lines"]
    assert [(line["hcpcs"], line["units"]) for line in lines] == [("J2323", 250), ("J2323", 50)]
    assert rules(result, "fix").count("CODE.DRUG_MISMATCH") == 1


def test_mismatch_without_a_dose_needs_a_person() -> None:
    line = drug_line(hcpcs="J2329", units=30, administered=None, discarded=None)
    result = scrub(claim(line))
    assert "CODE.DRUG_MISMATCH" in rules(result, "hold")
    assert result.corrected_claim is None


def test_wrong_code_is_not_judged_by_its_own_pack() -> None:
    # natalizumab on J2329: J2329's 450-unit maximum and dx list must not be applied.
    line = drug_line(hcpcs="J2329", units=600, administered=None, discarded=None)
    result = scrub(claim(line, diagnoses=["K50.90"]))
    assert {"UNITS.MAX_EXCEEDED", "DX.NOT_SUPPORTED"}.isdisjoint(rules(result))


def test_unknown_j_code_is_information_only() -> None:
    line = drug_line(hcpcs="J9999", units=1, name=None, ndc=None, modifiers=[])
    result = scrub(claim(line))
    assert ("CODE.NO_PACK", "info") in [(f.rule, f.severity) for f in result.findings]
    assert result.outcome == "pass"


def test_noc_code_without_ndc_and_name_holds() -> None:
    line = drug_line(
        hcpcs="J3490", units=1, name=None, ndc=None, administered=None, discarded=None, modifiers=[]
    )
    assert "CODE.NOC_DETAIL_MISSING" in rules(scrub(claim(line)), "hold")


def test_eleven_digits_with_one_misplaced_hyphen_is_rewritten() -> None:
    payer = {"id": "C", "plan_type": "medicaid"}
    auth = [{"number": "P", "hcpcs": ["J2323"], "start": "2026-01-01", "end": "2026-12-31"}]
    line = drug_line(ndc="6440600080-1", modifiers=[])
    result = scrub(claim(line, payer=payer, prior_authorizations=auth))
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["drug"]["ndc"] == "64406-0008-01"
