"""What the rules know about one version of a claim, derived once per round.

The words are RULES.md's: a *drug line* has a pack or a NOC code; a *waste line* is a drug
line with JW and no administered amount; the *line's drug* is found by NDC, then name, then
code; a *dose group* is one code on one service date, where waste is counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from claimscrub.contracts import ClaimSubmitted, Finding, Line, Severity
from claimscrub.scrubbers.amounts import derived_waste, discarded_units, in_pack_units
from claimscrub.scrubbers.findings import Fix, Flag
from claimscrub.scrubbers.ndc_format import ParsedNdc, parse_ndc
from claimscrub.scrubbers.reference import Drug, Pack, PlanPolicy, Reference
from claimscrub.scrubbers.rule_ids import RuleId


@dataclass(slots=True)
class LineView:
    """A line and what RULES.md's words make of it, worked out once per round."""

    line: Line
    pack: Pack | None
    is_noc: bool
    named_drug: Drug | None  # identified by NDC or name; None when neither identifies one
    named_by: str | None  # "NDC 64406-0008-01" or "name 'Tysabri'", for messages
    ndc: ParsedNdc | None
    modifiers: tuple[str, ...]  # upper-case, as compared
    code_is_wrong: bool = False
    number: int = field(init=False)
    administered: float | None = field(init=False)
    is_drug_line: bool = field(init=False)
    is_waste_line: bool = field(init=False)
    is_administered_line: bool = field(init=False)
    drug: Drug | None = field(init=False)
    single_dose: bool = field(init=False)

    def __post_init__(self) -> None:
        line = self.line
        self.number = line.number
        self.administered = line.drug.administered if line.drug else None
        self.is_drug_line = self.pack is not None or self.is_noc
        self.is_waste_line = self.is_drug_line and "JW" in self.modifiers and not self.administered
        self.is_administered_line = self.is_drug_line and not self.is_waste_line
        # The line's drug: by NDC, else by name, else the one its code describes.
        self.drug = self.named_drug or (self.pack.drug if self.pack else None)
        self.single_dose = self.drug is not None and self.drug.container == "single_dose"

    @property
    def code_pack(self) -> Pack | None:
        """The pack whose code-specific rules judge this line: none while the code is wrong
        for the drug (CODE.DRUG_MISMATCH), so a wrong code's facts never reach it."""
        return None if self.code_is_wrong else self.pack


def line_number(view: LineView) -> int:
    """Sort key: lines in the order the claim numbers them."""
    return view.number


@dataclass(slots=True)
class DoseGroup:
    """One code on one service date: where amounts add up and waste is counted.

    Its amounts are worked out on construction: the units and modifier rules read them all
    (and ``functools.cached_property`` takes a lock on every read in Python 3.11)."""

    pack: Pack | None  # None for a NOC code
    code: str
    service_date: date
    administered_lines: list[LineView]
    waste_lines: list[LineView]
    administered_amount: Decimal | None = field(init=False)
    discarded_amount: Decimal | None = field(init=False)
    discarded_units: int | None = field(init=False)

    def __post_init__(self) -> None:
        self.administered_amount = self._administered_amount()
        self.discarded_amount = self._discarded_amount()
        self.discarded_units = self._discarded_units()

    @property
    def first_administered(self) -> LineView | None:
        return self.administered_lines[0] if self.administered_lines else None

    @property
    def administered_units(self) -> float:
        return sum(view.line.units for view in self.administered_lines)

    def _administered_amount(self) -> Decimal | None:
        """Total administered amount in the pack's unit; None if any line's is unknown."""
        if self.pack is None or not self.administered_lines:
            return None
        total = Decimal(0)
        for view in self.administered_lines:
            drug = view.line.drug
            amount = in_pack_units(drug.administered, drug.dose_unit, self.pack) if drug else None
            if amount is None:
                return None
            total += amount
        return total

    def _discarded_amount(self) -> Decimal | None:
        """RULES.md order: the administered lines' discarded, else the waste line's, else
        whole vials minus the administered amount (one vial size only), else unknown.

        Several administered lines that state a discarded amount add up (RULES.md: amounts of
        one code on one date add up for the discarded amount); lines that state none add 0."""
        for views in (self.administered_lines, self.waste_lines):
            stated = [_stated_discarded(view, self.pack) for view in views]
            known = [amount for amount in stated if amount is not None]
            if known:
                return sum(known, Decimal(0))
        if self.pack is not None and self.administered_amount is not None:
            return derived_waste(self.administered_amount, self.pack)
        return None

    def _discarded_units(self) -> int | None:
        amount = self.discarded_amount
        if amount is None:
            return None
        if self.pack is None:  # NOC: no unit size; only "nothing discarded" is known
            return 0 if amount == 0 else None
        return discarded_units(amount, self.pack)


def _stated_discarded(view: LineView, pack: Pack | None) -> Decimal | None:
    drug = view.line.drug
    if drug is None or drug.discarded is None:
        return None
    if pack is None:  # NOC: no unit to convert to; the amount as written
        return Decimal(repr(drug.discarded))
    return in_pack_units(drug.discarded, drug.dose_unit, pack)


class ClaimContext:
    """A claim with the reference data and the facts every rule reads."""

    def __init__(self, claim: ClaimSubmitted, reference: Reference) -> None:
        self.claim = claim
        self.reference = reference
        self.plan: PlanPolicy = reference.plans[claim.payer.plan_type]
        self.lines = [self._view(line) for line in claim.lines]
        for view in self.lines:
            view.code_is_wrong = self._code_is_wrong(view)
        self.groups = self._dose_groups()

    def _dose_groups(self) -> list[DoseGroup]:
        """Dose groups of the drug lines whose code is right for their drug."""
        found: dict[tuple[str, date], tuple[Pack | None, list[LineView], list[LineView]]] = {}
        for view in self.lines:
            if not view.is_drug_line or view.code_is_wrong:
                continue
            key = (view.line.hcpcs, view.line.service_date)
            _, administered, waste = found.setdefault(key, (view.pack, [], []))
            (waste if view.is_waste_line else administered).append(view)
        return [
            DoseGroup(pack, code, day, administered, waste)
            for (code, day), (pack, administered, waste) in found.items()
        ]

    def attested(self, attestation: str) -> bool:
        """Whether the PM system asserts it is documented (compared case-insensitively)."""
        return any(given.strip().lower() == attestation for given in self.claim.attestations)

    def drug_lines(self) -> Iterator[LineView]:
        return (view for view in self.lines if view.is_drug_line)

    def flag(
        self,
        rule: RuleId,
        line: int | None,
        message: str,
        fix: Fix | None = None,
        severity: Severity | None = None,
    ) -> Flag:
        """A finding of ``rule`` with the catalog's severity and reference."""
        info = self.reference.catalog.by_id[rule]
        chosen = severity or ("fix" if fix else info.severity)
        if chosen not in ("fix", "hold", "info"):
            raise ValueError(f"{rule}: severity {info.severity} needs an explicit choice")
        finding = Finding(
            rule=rule, severity=chosen, line=line, message=message, reference=info.reference
        )
        return Flag(finding, fix)

    def _view(self, line: Line) -> LineView:
        drug = line.drug
        ndc = parse_ndc(drug.ndc) if drug and drug.ndc else None
        named, named_by = None, None
        if ndc and ndc.product:
            named = self.reference.drug_by_ndc_product.get(ndc.product)
            named_by = f"NDC {drug.ndc}" if drug else None
        if named is None and drug and drug.name:
            named = self.reference.drug_by_name.get(drug.name.strip().casefold())
            named_by = f"name '{drug.name.strip()}'"
        return LineView(
            line=line,
            pack=self.reference.packs.get(line.hcpcs),
            is_noc=line.hcpcs in self.reference.code_sets.noc_codes,
            named_drug=named,
            named_by=named_by if named else None,
            ndc=ndc,
            modifiers=tuple(str(m).upper() for m in line.modifiers),
        )

    def _code_is_wrong(self, view: LineView) -> bool:
        drug = view.named_drug
        if drug is None:
            return False
        if view.pack is not None:
            return drug.id != view.pack.drug.id
        return view.is_noc and bool(self.codes_effective(drug, view.line.service_date))

    def codes_effective(self, drug: Drug, day: date) -> list[Pack]:
        return [
            pack for pack in self.reference.codes_by_drug.get(drug.id, []) if pack.effective_on(day)
        ]
