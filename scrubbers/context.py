"""What the rules know about one version of a claim, derived once per round.

The words are RULES.md's: a *drug line* has a drug code (``scrubbers.codes``); a *waste
line* is a drug line with JW and no administered amount; the *line's drug* is found by NDC,
then name, then code (``scrubbers.identify``); a *dose group* is one code on one service
date, where amounts add up and waste is counted. Lines are taken in the order of their
``number`` wherever "lowest-numbered" or "first" matters, never in list order.

Where RULES.md is silent:
- A stated discarded amount that ``UNITS.WASTE_IMPLAUSIBLE`` rejects makes the group's
  discarded amount unknown, whichever line stated it; so does one stated in a unit that does
  not convert (the later sources are not used, RULES.md "Units").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from claimscrub.contracts import ClaimSubmitted, Finding, Line, Severity
from claimscrub.scrubbers.amounts import (
    billing_units,
    decimal,
    derived_waste,
    discarded_units,
    in_code_units,
    vial_amounts,
)
from claimscrub.scrubbers.codes import CodeFacts
from claimscrub.scrubbers.findings import Fix, Flag
from claimscrub.scrubbers.identify import Identity
from claimscrub.scrubbers.ndc_format import ParsedNdc, parse_ndc
from claimscrub.scrubbers.reference import Drug, Pack, PlanPolicy, Reference
from claimscrub.scrubbers.rule_ids import RuleId

_PLAN_WORDS = {
    "medicare": "Medicare",
    "medicare_advantage": "the Medicare Advantage plan",
    "medicaid": "Medicaid",
    "commercial": "the commercial plan",
}
LEVEL_TWO = re.compile(r"^[A-Z]\d{4}$")  # a HCPCS Level II code: a letter and four digits


@dataclass(slots=True)
class LineView:
    """A line and what RULES.md's words make of it, worked out once per round."""

    line: Line
    facts: CodeFacts | None  # the code's catalog entry; None when it is not a drug code
    ndc: ParsedNdc | None
    by_ndc: Identity | None
    by_name: Identity | None
    modifiers: tuple[str, ...]  # upper-case, as compared
    code_is_wrong: bool = field(init=False)
    # The code facts the code-specific rules judge this line by: none while the code is
    # wrong for the drug (CODE.DRUG_MISMATCH), so a wrong code's facts never reach it.
    # Plain fields, not properties: every rule reads them for every line.
    code_facts: CodeFacts | None = field(init=False)
    code_pack: Pack | None = field(init=False)
    pack: Pack | None = field(init=False)
    is_noc: bool = field(init=False)
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
        self.is_drug_line = self.facts is not None
        self.is_waste_line = self.is_drug_line and "JW" in self.modifiers and not self.administered
        self.is_administered_line = self.is_drug_line and not self.is_waste_line
        # The line's drug: by NDC, else by name, else the one its code describes.
        identified = [i.drug for i in (self.by_ndc, self.by_name) if i and i.drug]
        code_drug = self.facts.drug if self.facts else None
        self.drug = identified[0] if identified else code_drug
        self.single_dose = self.drug is not None and self.drug.container == "single_dose"
        self.pack = None if self.facts is None else self.facts.pack
        self.is_noc = self.facts is not None and self.facts.noc
        self.judge_code(wrong=False)

    def judge_code(self, *, wrong: bool) -> None:
        """Record whether CODE.DRUG_MISMATCH finds the code wrong for the drug."""
        self.code_is_wrong = wrong
        self.code_facts = None if wrong else self.facts
        self.code_pack = None if self.code_facts is None else self.code_facts.pack

    @property
    def identity(self) -> Identity | None:
        """What identifies the line's drug: its NDC, else its name."""
        return self.by_ndc or self.by_name

    @property
    def disagree(self) -> bool:
        """The NDC and the name identify different drugs."""
        return bool(self.by_ndc and self.by_name and not self.by_ndc.agrees_with(self.by_name))


def dose_units(view: LineView, facts: CodeFacts) -> int | None:
    """The billing units the line's administered amount makes under ``facts``; None when
    the amount is unknown, zero or does not convert (then there are no units to set)."""
    drug = view.line.drug
    if drug is None or facts.unit is None:
        return None
    amount = in_code_units(drug.administered, drug.dose_unit, facts)
    return billing_units(amount, facts) if amount is not None and amount > 0 else None


def line_number(view: LineView) -> int:
    """Sort key: lines in the order the claim numbers them."""
    return view.number


@dataclass(slots=True)
class DoseGroup:
    """One code on one service date: where amounts add up and waste is counted.

    Its amounts are worked out on construction: the units and modifier rules read them all
    (and ``functools.cached_property`` takes a lock on every read in Python 3.11)."""

    facts: CodeFacts
    service_date: date
    administered_lines: list[LineView]  # lowest-numbered first
    waste_lines: list[LineView]  # lowest-numbered first
    administered_amount: Decimal | None = field(init=False)
    implausible: Decimal | None = field(init=False)  # a stated discard of a whole vial or more
    discarded_amount: Decimal | None = field(init=False)
    discarded_units: int | None = field(init=False)

    def __post_init__(self) -> None:
        self.administered_amount = self._administered_amount()
        source, stated = stated_discarded(self.administered_lines, self.waste_lines, self.facts)
        self.implausible = stated if stated is not None and whole_vial(stated, self.facts) else None
        if self.implausible is not None or (source and stated is None):
            self.discarded_amount = None  # rejected, or stated in a unit that does not convert
        else:
            self.discarded_amount = self._discarded(stated)
        self.discarded_units = self._discarded_units()

    @property
    def code(self) -> str:
        return self.facts.code

    @property
    def pack(self) -> Pack | None:
        return self.facts.pack

    @property
    def first_administered(self) -> LineView | None:
        return self.administered_lines[0] if self.administered_lines else None

    @property
    def administered_units(self) -> float:
        return sum(view.line.units for view in self.administered_lines)

    def _administered_amount(self) -> Decimal | None:
        """Total administered amount in the code's unit; None if any line's is unknown."""
        if self.facts.unit is None or not self.administered_lines:
            return None
        total = Decimal(0)
        for view in self.administered_lines:
            drug = view.line.drug
            amount = in_code_units(drug.administered, drug.dose_unit, self.facts) if drug else None
            if amount is None:
                return None
            total += amount
        return total

    def _discarded(self, stated: Decimal | None) -> Decimal | None:
        if stated is not None:
            return stated
        if self.administered_amount is not None:
            return derived_waste(self.administered_amount, self.facts)
        return None

    def _discarded_units(self) -> int | None:
        amount = self.discarded_amount
        if amount is None:
            return None
        if amount == 0:
            return 0  # known in any unit, also for a code without a unit size
        return None if self.facts.unit is None else discarded_units(amount, self.facts)


def stated_discarded(
    administered: list[LineView], waste: list[LineView], facts: CodeFacts
) -> tuple[bool, Decimal | None]:
    """RULES.md order: the sum of what the administered lines state (those that state one),
    else what the lowest-numbered waste line states, in ``facts``' unit. Whether a line
    states one, and the amount: None when a stated amount does not convert (then it is
    unknown, and the later sources are not used)."""
    for views in (administered, waste[:1]):
        stating = [view for view in views if _states_discarded(view)]
        if stating:
            amounts = [_stated_discarded(view, facts) for view in stating]
            if any(amount is None for amount in amounts):
                return True, None
            return True, sum((a for a in amounts if a is not None), Decimal(0))
    return False, None


def whole_vial(amount: Decimal, facts: CodeFacts) -> bool:
    """At least the largest vial the pack lists (UNITS.WASTE_IMPLAUSIBLE)."""
    sizes = vial_amounts(facts)
    return bool(sizes) and facts.unit is not None and amount >= max(sizes)


def _states_discarded(view: LineView) -> bool:
    drug = view.line.drug
    return drug is not None and drug.discarded is not None


def _stated_discarded(view: LineView, facts: CodeFacts) -> Decimal | None:
    drug = view.line.drug
    if drug is None or drug.discarded is None:
        return None
    if facts.unit is None:  # no unit to convert to: the amount as written (0 is what counts)
        return decimal(drug.discarded)
    return in_code_units(drug.discarded, drug.dose_unit, facts)


class ClaimContext:
    """A claim with the reference data and the facts every rule reads."""

    def __init__(
        self,
        claim: ClaimSubmitted,
        reference: Reference,
        submitted: ClaimSubmitted | None = None,
    ) -> None:
        self.claim = claim
        self.submitted = submitted  # the claim as sent, when this round judges a corrected one
        self.reference = reference
        self.codes = reference.codes
        self._identifier = reference.identifier
        self._rules = reference.catalog.by_id  # read once: cached properties lock per read
        self.plan: PlanPolicy = reference.plans[claim.payer.plan_type]
        self.lines = sorted((self._view(line) for line in claim.lines), key=line_number)
        for view in self.lines:
            view.judge_code(wrong=self._code_is_wrong(view))
        self._waste_follows_its_administered_line()
        self.groups = self._dose_groups()

    @property
    def payer(self) -> str:
        """How messages name the payer: its name, else its plan type in words."""
        payer = self.claim.payer
        return (payer.name or "").strip() or _PLAN_WORDS[payer.plan_type]

    def _dose_groups(self) -> list[DoseGroup]:
        """Dose groups of the drug lines whose code is right for their drug."""
        found: dict[tuple[str, date], tuple[CodeFacts, list[LineView], list[LineView]]] = {}
        for view in self.lines:
            if view.facts is None or view.code_is_wrong:
                continue
            key = (view.line.hcpcs, view.line.service_date)
            _, administered, waste = found.setdefault(key, (view.facts, [], []))
            (waste if view.is_waste_line else administered).append(view)
        return [
            DoseGroup(facts, day, administered, waste)
            for (_, day), (facts, administered, waste) in found.items()
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
        info = self._rules[rule]
        chosen = severity or ("fix" if fix else info.severity)
        if chosen not in ("fix", "hold", "info"):
            raise ValueError(f"{rule}: severity {info.severity} needs an explicit choice")
        # Validated even so: pydantic's model_construct is slower (docs/performance.md).
        finding = Finding(
            rule=str(rule), severity=chosen, line=line, message=message, reference=info.reference
        )
        return Flag(finding, fix)

    def hcpcs_verdict(self, day: date) -> tuple[Severity, str]:
        """How CODE.UNKNOWN and MOD.UNKNOWN judge what the HCPCS Level II file lacks on
        ``day``: a hold within the file's period; info after it, since the code may be
        newer than the data. Also where the message says it looked."""
        start, end = self.reference.cms.periods["hcpcs"]
        if day <= end:
            return "hold", f"in the code set of {start} to {end}:"
        return "info", (
            f"in the loaded HCPCS Level II file, which covers {start} to {end}; the service "
            f"date {day} is later, so it may be new: load the current quarter's file "
            "(claimscrub data import) to check it."
        )

    def product_codes(self, identity: Identity, day: date) -> list[CodeFacts]:
        """The identified drug's product-specific codes effective on ``day``."""
        found = (self.codes.get(code) for code in identity.codes)
        return [f for f in found if f is not None and not f.noc and f.effective_on(day)]

    def judged_for_code(self, view: LineView) -> bool:
        """Whether CODE.DRUG_MISMATCH judges the line: a drug line, or a HCPCS Level II
        line whose NDC identifies a drug (a mistyped or retired code)."""
        return view.is_drug_line or bool(view.by_ndc and LEVEL_TWO.match(view.line.hcpcs))

    def _view(self, line: Line) -> LineView:
        drug = line.drug
        ndc = parse_ndc(drug.ndc) if drug and drug.ndc and drug.ndc.strip() else None
        identifier = self._identifier
        return LineView(
            line=line,
            facts=self.codes.get(line.hcpcs),
            ndc=ndc,
            by_ndc=identifier.by_ndc(ndc, drug.ndc or "") if drug else None,
            by_name=identifier.by_name(drug.name) if drug else None,
            modifiers=tuple(str(m).upper() for m in line.modifiers),
        )

    def _waste_follows_its_administered_line(self) -> None:
        """RULES.md 5: a waste line follows its administered line, so while that line's code
        is wrong the waste line of the same code and date is judged by no code-specific
        rule either (and moves with it when the code is fixed)."""
        wrong = {
            (view.line.hcpcs, view.line.service_date)
            for view in self.lines
            if view.is_administered_line and view.code_is_wrong
        }
        for view in self.lines:
            if view.is_waste_line and (view.line.hcpcs, view.line.service_date) in wrong:
                view.judge_code(wrong=True)

    def _code_is_wrong(self, view: LineView) -> bool:
        identity = view.by_ndc if not view.is_drug_line else view.identity
        if identity is None or not self.judged_for_code(view):
            return False
        if view.disagree:
            return True
        if view.is_noc:
            return bool(self.product_codes(identity, view.line.service_date))
        return view.line.hcpcs not in identity.codes
