"""The reviewed reference data the rules read: drug packs, plan policies, code sets.

Each fact lives in a TOML file under ``scrubbers/data`` with its sources; these models
validate the files at start-up so a typo in a pack fails loudly before any claim is read.
Adding a drug is adding a file; no rule names a code.
"""

from __future__ import annotations

import hashlib
import tomllib
from datetime import date
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from claimscrub.contracts import DoseUnit, PlanType
from claimscrub.scrubbers.cms.bundle import read_bundle, shipped_bundle
from claimscrub.scrubbers.cms.catalog import CmsCatalog
from claimscrub.scrubbers.codes import CodeFacts, drug_codes
from claimscrub.scrubbers.errors import ReferenceDataError
from claimscrub.scrubbers.identify import Identifier
from claimscrub.scrubbers.rule_ids import RuleId

Container = Literal["single_dose", "multi_dose"]
# 9-digit labeler+product, written 5-4 (the first 9 of the 11-digit NDC).
NdcProduct = Annotated[str, Field(pattern=r"^\d{5}-\d{4}$")]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_Model = TypeVar("_Model", bound=_Data)


class Quantity(_Data):
    amount: Annotated[float, Field(gt=0)]
    unit: DoseUnit


class Vial(_Data):
    """One container size. ``volume_ml`` gives the concentration for mL doses."""

    amount: Annotated[float, Field(gt=0)]
    unit: DoseUnit
    volume_ml: Annotated[float, Field(gt=0)] | None = None


class Drug(_Data):
    """A drug as the claim names it: by NDC product or by name."""

    id: str
    brand: str | None = None
    names: Annotated[list[str], Field(min_length=1)]
    shared_names: list[str] = Field(
        [], description="generic names a reference product shares with its biosimilars"
    )
    ndc_products: list[NdcProduct] = []
    container: Container | None = Field(None, description="absent when unverified: no waste rules")
    vials: list[Vial] = []
    indications: list[str] = Field([], description="ICD-10-CM prefixes without dots")
    rems: str | None = None
    billing: str | None = Field(None, description="how to bill a drug with no product code")
    sources: Annotated[list[str], Field(min_length=1)]

    @property
    def label(self) -> str:
        """How messages name the drug: generic name, then brand (``natalizumab (Tysabri)``)."""
        generic = next((n for n in self.names if n != self.brand), None)
        name = generic or (self.shared_names or self.names)[0]
        return f"{name} ({self.brand})" if self.brand and name != self.brand else name


class Pack(_Data):
    """A product-specific HCPCS code and the drug it describes."""

    code: Annotated[str, Field(pattern=r"^[A-Z]\d{4}$")]
    descriptor: str
    unit: Quantity
    effective: date | None = Field(None, description="absent when unverified: not checked")
    end: date | None = None
    max_units_per_day: Annotated[int, Field(gt=0)] | None = None
    drug: Drug

    @property
    def label(self) -> str:
        """``J2323 (natalizumab (Tysabri), per 1 mg)``: code, drug and billing unit."""
        return f"{self.code} ({self.drug.label}, per {self.unit.amount:g} {self.unit.unit})"

    def effective_on(self, day: date) -> bool:
        return (self.effective is None or self.effective <= day) and (
            self.end is None or day <= self.end
        )


class NoCodeDrug(_Data):
    drug: Drug


class SiteOfCare(_Data):
    codes: list[str]
    initial_period_days: Annotated[int, Field(ge=0)]


class PlanPolicy(_Data):
    plan_type: PlanType
    prior_authorization: list[str] = []
    ndc_required: bool
    jz_required_from: date | None = None
    jw_required_from: date | None = None
    facility_pos: list[str] = Field(description="POS where the facility bills the drug")
    site_of_care: SiteOfCare | None = None
    timely_filing_months: Annotated[int, Field(ge=1)] = Field(
        description="months after the service date within which the payer accepts a claim "
        "(CLAIM.TIMELY_FILING)"
    )
    denies_minimal_em_with_drug_administration: bool = Field(
        description="the plan does not pay a minimal E/M visit (CodeSets.minimal_em_codes: "
        "99211) on the date of a drug administration (CODE.EM_NOT_PAYABLE)"
    )
    sources: Annotated[list[str], Field(min_length=1)]


class PosCode(_Data):
    code: Annotated[str, Field(pattern=r"^\d{2}$")]
    name: str
    effective: date | None = None


class CodeSets(_Data):
    noc_codes: list[str]
    hospital_outpatient_pos: list[str] = Field(description="POS of hospital outpatient sites")
    not_for_drug_line: dict[str, str] = Field(description="modifier -> why it does not belong")
    cpt_modifiers: list[str] = Field(description="CPT (Level I) modifier codes")
    place_of_service: list[PosCode]
    drug_administration_codes: list[
        Annotated[str, Field(pattern=r"^(?:[A-Z]\d{4}-[A-Z]\d{4}|\d{5}-\d{5})$")]
    ] = Field(description="CPT drug administration code ranges, 'first-last' (RULES.md, Words)")
    em_codes: list[Annotated[str, Field(pattern=r"^(?:[A-Z]\d{4}-[A-Z]\d{4}|\d{5}-\d{5})$")]] = (
        Field(description="E/M (office or outpatient visit) code ranges (RULES.md, Words)")
    )
    minimal_em_codes: list[Annotated[str, Field(pattern=r"^\d{5}$")]] = Field(
        description="E/M codes 25 does not unbundle from a drug administration (99211)"
    )
    em_section_codes: list[
        Annotated[str, Field(pattern=r"^(?:[A-Z]\d{4}-[A-Z]\d{4}|\d{5}-\d{5})$")]
    ] = Field(
        description="the CPT E/M section: visits, not administration services (ADMIN.MISSING)"
    )
    separately_administered_drug_codes: list[
        Annotated[str, Field(pattern=r"^(?:[A-Z]\d{4}-[A-Z]\d{4}|\d{5}-\d{5})$")]
    ] = Field(description="drug code ranges whose administration is a separate CPT service")
    administration_pos: list[str] = Field(
        description="POS where the drug's administration is billed on the same claim"
    )
    sources: list[str]


class RuleInfo(_Data):
    id: str
    severity: Literal["fix", "hold", "info", "fix/hold", "hold/info"]
    summary: str = Field(description="when the rule fires")
    fix: str | None = Field(None, description="what the correction does (fix rules)")
    reference: str


class Catalog(_Data):
    version: str
    rule: list[RuleInfo]

    @cached_property
    def by_id(self) -> dict[str, RuleInfo]:
        return {info.id: info for info in self.rule}

    @cached_property
    def order(self) -> dict[str, int]:
        return {info.id: index for index, info in enumerate(self.rule)}


class Reference(BaseModel):
    """Everything the rules know, indexed for the lookups they make."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    catalog: Catalog
    packs: dict[str, Pack]
    no_code_drugs: list[Drug]
    plans: dict[str, PlanPolicy]
    code_sets: CodeSets
    cms: CmsCatalog = Field(description="the loaded CMS tables (the reference bundle)")
    digest: str = Field(description="SHA-256 of every data file (``data_digest``)")

    @model_validator(mode="after")
    def _every_plan_type_covered(self) -> Reference:
        missing = set(get_args(PlanType)) - set(self.plans)
        if missing:
            raise ValueError(f"no plan policy file for {sorted(missing)}")
        return self

    @cached_property
    def ruleset(self) -> str:
        """The rules and the data together (RULES.md, "How the engine runs", 6): the rule
        catalog's version, the period of every loaded CMS table, and a digest of the
        reviewed data and the CMS bundle: ``2026.11.1+asp2025q4.hcpcs2025q3.3f9c21ab``."""
        both = hashlib.sha256(f"{self.digest}:{self.cms.digest}".encode()).hexdigest()
        return f"{self.catalog.version}+{'.'.join(table_periods(self.cms))}.{both[:8]}"

    @cached_property
    def codes(self) -> dict[str, CodeFacts]:
        """Every drug code's facts (``scrubbers.codes``)."""
        return drug_codes(self.packs, self.code_sets.noc_codes, self.cms)

    @cached_property
    def identifier(self) -> Identifier:
        return Identifier(self)

    @cached_property
    def family_by_name(self) -> dict[str, list[Drug]]:
        """Shared names: each names every drug that lists it (a reference product and its
        biosimilars)."""
        found: dict[str, list[Drug]] = {}
        for drug in self.drugs.values():
            for name in drug.shared_names:
                found.setdefault(name.strip().casefold(), []).append(drug)
        return found

    @cached_property
    def drugs(self) -> dict[str, Drug]:
        found = {pack.drug.id: pack.drug for pack in self.packs.values()}
        found.update({drug.id: drug for drug in self.no_code_drugs})
        return found

    @cached_property
    def drug_by_ndc_product(self) -> dict[str, Drug]:
        return {
            product.replace("-", ""): drug
            for drug in self.drugs.values()
            for product in drug.ndc_products
        }

    @cached_property
    def drug_by_name(self) -> dict[str, Drug]:
        """One-drug names (a brand, a suffixed nonproprietary name)."""
        return {
            name.strip().casefold(): drug for drug in self.drugs.values() for name in drug.names
        }

    @cached_property
    def codes_by_drug(self) -> dict[str, list[Pack]]:
        found: dict[str, list[Pack]] = {}
        for pack in self.packs.values():
            found.setdefault(pack.drug.id, []).append(pack)
        return found

    @cached_property
    def pos_codes(self) -> dict[str, PosCode]:
        return {pos.code: pos for pos in self.code_sets.place_of_service}


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ReferenceDataError(f"{path.name}: {error}") from error


def _validated(model: type[_Model], path: Path) -> _Model:
    try:
        return model.model_validate(_read(path))
    except ValidationError as error:
        # Reference data is ours, not a patient's: the offending value may be quoted.
        problems = "; ".join(
            f"{'.'.join(map(str, detail['loc']))}: {detail['msg']} (got {detail['input']!r})"
            for detail in error.errors(include_url=False)
        )
        raise ReferenceDataError(f"{path.name}: {problems}") from error


# How each CMS table names its period in ``ruleset``; a table published for the same
# quarter as the one before it (the crosswalk with the pricing file, the NOC list with
# the HCPCS file) adds nothing.
_PERIOD_NAMES = {"asp_pricing": "asp", "ndc_crosswalk": "ndc", "hcpcs": "hcpcs", "noc": "noc"}


def table_periods(cms: CmsCatalog) -> list[str]:
    """``["asp2025q4", "hcpcs2025q3"]``: each loaded table's quarter, once."""
    named: list[str] = []
    quarters: set[str] = set()
    for table, (start, _) in cms.periods.items():
        quarter = f"{start.year}q{(start.month - 1) // 3 + 1}"
        if quarter not in quarters:
            quarters.add(quarter)
            named.append(f"{_PERIOD_NAMES.get(table, table)}{quarter}")
    return named


def data_digest(base: Path) -> str:
    """SHA-256 over every data file's path and bytes: any edit to a pack, a plan file, the
    code sets or the catalog changes it (RULES.md, "How the engine runs", 6)."""
    digest = hashlib.sha256()
    for path in sorted(base.rglob("*.toml")):
        digest.update(path.relative_to(base).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_reference(root: Path | None = None, cms_bundle: Path | None = None) -> Reference:
    """Read, validate and cross-check every data file and the CMS bundle (the shipped one
    unless ``cms_bundle`` names another); a broken file raises ``ReferenceDataError``
    naming the file and the value, before any claim is read."""
    base = root or Path(str(files("claimscrub.scrubbers.data")))
    packs: dict[str, Pack] = {}
    no_code: list[Drug] = []
    for path in sorted((base / "drugs").glob("*.toml")):
        data = _read(path)
        model: type[Pack | NoCodeDrug] = Pack if "code" in data else NoCodeDrug
        entry = _validated(model, path)
        if isinstance(entry, Pack):
            packs[entry.code] = entry
        else:
            no_code.append(entry.drug)
    plans = {}
    for path in sorted((base / "plans").glob("*.toml")):
        plan = _validated(PlanPolicy, path)
        _check_plan_codes(plan, packs, path)
        plans[plan.plan_type] = plan
    catalog = _validated(Catalog, base / "rules.toml")
    _check_rule_ids(catalog)
    return Reference(
        catalog=catalog,
        packs=packs,
        no_code_drugs=no_code,
        plans=plans,
        code_sets=_validated(CodeSets, base / "code_sets.toml"),
        cms=read_bundle(cms_bundle or shipped_bundle()),
        digest=data_digest(base),
    )


def _check_plan_codes(plan: PlanPolicy, packs: dict[str, Pack], path: Path) -> None:
    """A plan rule for a code the data does not know would never fire: refuse it."""
    named = [*plan.prior_authorization, *(plan.site_of_care.codes if plan.site_of_care else [])]
    unknown = sorted({code for code in named if code not in packs})
    if unknown:
        msg = f"{path.name}: names {', '.join(unknown)}, which no drug pack describes"
        raise ReferenceDataError(msg)


def _check_rule_ids(catalog: Catalog) -> None:
    """The catalog describes exactly the rule ids the code can report (``RuleId``)."""
    listed = [info.id for info in catalog.rule]
    missing = sorted(set(RuleId) - set(listed))
    extra = sorted(set(listed) - set(RuleId))
    repeated = sorted({rule for rule in listed if listed.count(rule) > 1})
    problems = [
        *(f"{rule} is reported by the code but missing here" for rule in missing),
        *(f"{rule} is listed but no rule reports it" for rule in extra),
        *(f"{rule} is listed twice" for rule in repeated),
    ]
    if problems:
        raise ReferenceDataError(f"rules.toml: {'; '.join(problems)}")
