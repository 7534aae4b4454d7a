"""CODE.*: which drug a line is, and whether its code is the one that describes it."""

from __future__ import annotations

from tests.claims import claim, line, rules, scrub, waste_line


def test_noc_code_for_a_drug_with_its_own_code_is_recoded() -> None:
    result = scrub(claim(line(hcpcs="J3590", units=1)))
    assert "CODE.DRUG_MISMATCH" in rules(result, "fix")
    assert result.corrected_claim is not None
    recoded = result.corrected_claim["lines"][0]
    assert (recoded["hcpcs"], recoded["units"]) == ("J2323", 300)


def test_brand_name_alone_identifies_the_drug() -> None:
    result = scrub(claim(line(hcpcs="J2329", units=30, drug={"name": "Tysabri", "ndc": None})))
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["hcpcs"] == "J2323"


def test_the_brand_names_one_drug_not_its_biosimilar() -> None:
    result = scrub(claim(line(hcpcs="Q5134", drug={"ndc": None, "name": "Tysabri"})))
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["hcpcs"] == "J2323"


def test_the_shared_name_agrees_with_every_drug_of_its_family() -> None:
    result = scrub(claim(line(hcpcs="Q5134", drug={"ndc": None, "name": "natalizumab"})))
    assert "CODE.DRUG_MISMATCH" not in rules(result)


def test_an_ndc_and_a_name_that_disagree_hold_and_fix_nothing() -> None:
    result = scrub(claim(line(drug={"name": "Briumvi"})))
    (finding,) = [f for f in result.findings if f.rule == "CODE.DRUG_MISMATCH"]
    assert finding.severity == "hold"
    assert "NDC 64406-0008-01" in finding.message
    assert "name 'Briumvi'" in finding.message
    assert result.corrected_claim is None


def test_unlisted_ndc_leaves_the_name_to_decide() -> None:
    document = claim(
        line(hcpcs="J2329", units=30, drug={"ndc": "12345-6789-01", "name": "Tysabri"})
    )
    result = scrub(document)
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["hcpcs"] == "J2323"


def test_a_shared_name_on_another_drugs_code_holds_naming_the_family() -> None:
    result = scrub(claim(line(hcpcs="J2329", units=30, drug={"ndc": "12345-6789-01"})))
    (finding,) = [f for f in result.findings if f.rule == "CODE.DRUG_MISMATCH"]
    assert finding.severity == "hold"
    assert "J2323" in finding.message
    assert "Q5134" in finding.message


def test_waste_line_is_recoded_with_its_administered_line() -> None:
    administered = line(
        hcpcs="J2329", units=25, modifiers=[], drug={"administered": 250, "discarded": 50}
    )
    waste = waste_line(2, units=5, hcpcs="J2329", charge="1230.00", drug={"discarded": 50})
    result = scrub(claim(administered, waste))
    assert result.corrected_claim is not None
    lines = result.corrected_claim["lines"]
    assert [(each["hcpcs"], each["units"]) for each in lines] == [("J2323", 250), ("J2323", 50)]
    assert rules(result, "fix").count("CODE.DRUG_MISMATCH") == 1


def test_mismatch_without_a_dose_needs_a_person() -> None:
    undosed = line(hcpcs="J2329", units=30, drug={"administered": None, "discarded": None})
    result = scrub(claim(undosed))
    assert "CODE.DRUG_MISMATCH" in rules(result, "hold")
    assert result.corrected_claim is None


def test_wrong_code_is_not_judged_by_its_own_pack() -> None:
    # natalizumab on J2329: J2329's 450-unit maximum and dx list must not be applied.
    undosed = line(hcpcs="J2329", units=600, drug={"administered": None, "discarded": None})
    result = scrub(claim(undosed, diagnoses=["K50.90"]))
    assert {"UNITS.MAX_EXCEEDED", "DX.NOT_SUPPORTED"}.isdisjoint(rules(result))


def test_a_drug_code_without_a_unit_size_is_information_only() -> None:
    # J2930 (methylprednisolone, up to 125 mg) is in the HCPCS file but not priced by ASP.
    unknown = line(hcpcs="J2930", units=1, modifiers=[], drug={"name": None, "ndc": None})
    result = scrub(claim(unknown))
    assert ("CODE.NO_PACK", "info") in [(f.rule, f.severity) for f in result.findings]
    assert result.outcome == "pass"


def test_every_noc_drug_code_of_rules_md_asks_for_its_ndc_and_name() -> None:
    for code in ("J3591", "J7199", "J7599", "J7699", "J7799", "J7999", "J8499", "J8597"):
        bare = line(hcpcs=code, units=1, modifiers=[], drug={"name": None, "ndc": None})
        assert "CODE.NOC_DETAIL_MISSING" in rules(scrub(claim(bare)), "hold"), code


def test_noc_code_without_ndc_and_name_holds() -> None:
    bare = {"name": None, "ndc": None, "administered": None, "discarded": None}
    noc = line(hcpcs="J3490", units=1, modifiers=[], drug=bare)
    assert "CODE.NOC_DETAIL_MISSING" in rules(scrub(claim(noc)), "hold")


def test_eleven_digits_with_one_misplaced_hyphen_is_rewritten() -> None:
    payer = {"id": "C", "plan_type": "medicaid"}
    auth = [{"number": "P", "hcpcs": ["J2323"], "start": "2026-01-01", "end": "2026-12-31"}]
    misplaced = line(modifiers=[], drug={"ndc": "6440600080-1"})
    result = scrub(claim(misplaced, payer=payer, prior_authorizations=auth))
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][0]["drug"]["ndc"] == "64406-0008-01"


def _bevacizumab(drug: dict[str, object] | None = None, **fields: object) -> dict[str, object]:
    """A bevacizumab line: a code no pack describes, known from the CMS files (J9035 is
    10 mg per unit; NDC 50242-0061-01 is Avastin 400 mg/16 mL under J9035)."""
    avastin = {"name": "bevacizumab", "ndc": "50242-0061-01", "administered": 400}
    chosen = {"hcpcs": "J9035", "units": 40, "charge": "3380.00", **fields}
    return line(2, drug={"ndc_quantity": 16, **avastin, **(drug or {})}, **chosen)


def test_a_catalogued_code_gets_its_units_from_the_cms_unit_size() -> None:
    result = scrub(claim(line(1, hcpcs="96413", drug=None), _bevacizumab(units=400)))
    (finding,) = [f for f in result.findings if f.rule == "UNITS.DOSE_MISMATCH"]
    assert "per 10 mg" in finding.message
    assert result.corrected_claim is not None
    assert result.corrected_claim["lines"][1]["units"] == 40


def test_another_drugs_ndc_on_a_catalogued_code_is_recoded_by_the_crosswalk() -> None:
    keytruda = {"name": "Keytruda", "ndc": "00006-3026-02", "administered": 200}
    result = scrub(claim(_bevacizumab(drug=keytruda)))
    assert "CODE.DRUG_MISMATCH" in rules(result, "fix")
    assert result.corrected_claim is not None
    recoded = result.corrected_claim["lines"][0]
    assert (recoded["hcpcs"], recoded["units"]) == ("J9271", 200)  # pembrolizumab, 1 mg


def test_a_noc_code_for_a_catalogued_drug_with_its_own_code_is_recoded() -> None:
    result = scrub(claim(_bevacizumab(hcpcs="J3490", units=1)))
    assert result.corrected_claim is not None
    recoded = result.corrected_claim["lines"][0]
    assert (recoded["hcpcs"], recoded["units"]) == ("J9035", 40)


def test_an_ndc_listed_under_two_codes_on_a_noc_code_holds_naming_both() -> None:
    aranesp = {"name": "Aranesp", "ndc": "55513-0002-04", "administered": 25, "dose_unit": "mcg"}
    result = scrub(claim(_bevacizumab(hcpcs="J3490", units=1, drug=aranesp)))
    (finding,) = [f for f in result.findings if f.rule == "CODE.DRUG_MISMATCH"]
    assert finding.severity == "hold"
    assert "J0881" in finding.message
    assert "J0882" in finding.message


def _tysabri_on_j2329(**drug: object) -> dict[str, object]:
    """Tysabri billed on Briumvi's code: 290 mg given, 10 mg discarded."""
    given = {"name": "Tysabri", "administered": 290, "discarded": 10, **drug}
    return line(hcpcs="J2329", units=29, charge="7134.00", modifiers=[], drug=given)


def _jw(number: int, units: float = 1, **fields: object) -> dict[str, object]:
    return waste_line(number, units=units, hcpcs="J2329", charge="999.00", **fields)


def test_a_recoded_waste_line_is_charged_at_the_fixed_lines_price_per_unit() -> None:
    result = scrub(claim(_tysabri_on_j2329(), _jw(2, drug={"discarded": 10})))
    assert result.corrected_claim is not None
    waste = result.corrected_claim["lines"][1]
    assert (waste["hcpcs"], waste["units"], waste["charge"]) == ("J2323", 10, "246.00")


def test_a_whole_vial_stated_as_waste_moves_with_the_code_but_is_not_resized() -> None:
    vivitrol = {"name": "Vivitrol", "ndc": "65757-0300-01", "administered": 380, "discarded": 400}
    administered = line(hcpcs="J2320", units=8, charge="1520.00", modifiers=[], drug=vivitrol)
    waste = waste_line(2, units=1, hcpcs="J2320", charge="10.00", drug={"ndc": "65757-0300-01"})
    result = scrub(claim(administered, waste))
    assert result.corrected_claim is not None
    moved = result.corrected_claim["lines"][1]
    assert (moved["hcpcs"], moved["units"]) == ("J2315", 1)
    assert "UNITS.WASTE_IMPLAUSIBLE" in rules(result, "hold")


def test_two_waste_lines_are_left_alone_when_their_administered_line_is_recoded() -> None:
    result = scrub(claim(_tysabri_on_j2329(), _jw(2), _jw(3)))
    assert result.corrected_claim is not None
    lines = result.corrected_claim["lines"]
    assert [(each["hcpcs"], each["units"]) for each in lines[1:3]] == [("J2329", 1), ("J2329", 1)]
    assert result.outcome == "hold"  # a person chooses which JW line stays


def test_while_the_mismatch_holds_its_waste_line_is_judged_by_no_code_specific_rule() -> None:
    disagreeing = _tysabri_on_j2329(name="Tyruko", ndc="64406-0008-01")
    waste = _jw(2, modifiers=["JW", "JZ"], units=5, drug={"discarded": 10})
    result = scrub(claim(disagreeing, waste))
    assert "CODE.DRUG_MISMATCH" in rules(result, "hold")
    assert result.corrected_claim is None  # no waste fix under the wrong code
