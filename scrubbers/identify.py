"""Which drug a line's NDC or name identifies (RULES.md, "Identifying the drug").

An NDC identifies by its product (the first 9 of its 11 digits): a pack's or the no-code
table's `ndc_products` first; else the ASP NDC-HCPCS crosswalk, whose codes for that
11-digit NDC are **the NDC's codes** (or, only when that NDC is not listed, those of the
other packages of its product). A name identifies only drugs the reviewed data names: one
drug by a brand or a suffixed name, a **family** by a shared name (every code listed for
it). The crosswalk's own drug names identify nothing.

Where RULES.md is silent:
- An identity is the set of codes that describe the drug, with the reviewed drugs it is
  (none for an NDC known only to the crosswalk): two identities agree when they share a
  reviewed drug, or, when either has none, a code.
- A crosswalk NDC whose codes have packs is those packs' drugs too, so the pack's facts
  (container, vials) reach every package CMS lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claimscrub.scrubbers.codes import CodeFacts
from claimscrub.scrubbers.ndc_format import ParsedNdc

if TYPE_CHECKING:  # reference.py builds the identifier, so it cannot be imported back
    from claimscrub.scrubbers.reference import Drug, Reference


@dataclass(frozen=True, slots=True)
class Identity:
    """A drug (or a family of them) as a line names it."""

    by: str  # "NDC 64406-0008-01" or "name 'Tysabri'", for messages
    codes: tuple[str, ...]  # every code that describes it, sorted
    drugs: tuple[Drug, ...]  # the reviewed drugs it is; several for a shared name

    @property
    def drug(self) -> Drug | None:
        """The one reviewed drug, or None for a family or a crosswalk-only NDC."""
        return self.drugs[0] if len(self.drugs) == 1 else None

    @property
    def family(self) -> bool:
        return len(self.drugs) > 1

    def agrees_with(self, other: Identity) -> bool:
        if self.drugs and other.drugs:
            return bool({d.id for d in self.drugs} & {d.id for d in other.drugs})
        return bool(set(self.codes) & set(other.codes))

    def describe(self, facts: Mapping[str, CodeFacts]) -> str:
        """``natalizumab (Tysabri)``, ``the natalizumab family (J2323, Q5134)`` or, for a
        drug only the crosswalk knows, the codes it is billed under."""
        if self.drug is not None:
            return self.drug.label
        if self.family:
            return f"the {self.drugs[0].names[0]} family ({', '.join(self.codes)})"
        labels = [facts[code].label if code in facts else code for code in self.codes]
        return f"the drug billed as {' or '.join(labels)}"


class Identifier:
    """Identities from the reference data and the CMS crosswalk, each a dictionary read."""

    def __init__(self, reference: Reference) -> None:
        self.cms = reference.cms
        # Plain dicts read once: the reference's cached properties lock on every read.
        self._by_product = reference.drug_by_ndc_product
        self._by_name = reference.drug_by_name
        self._family_by_name = reference.family_by_name
        self._codes_of = {
            drug_id: tuple(sorted(pack.code for pack in packs))
            for drug_id, packs in reference.codes_by_drug.items()
        }
        self._drug_of_code = {code: pack.drug for code, pack in reference.packs.items()}
        # A practice bills the same few packages and names all day.
        self._ndc_seen: dict[tuple[str, str], Identity | None] = {}
        self._name_seen: dict[str, Identity | None] = {}

    def by_ndc(self, ndc: ParsedNdc | None, written: str) -> Identity | None:
        if ndc is None or ndc.product is None or ndc.digits is None:
            return None
        key = (ndc.digits, written.strip())
        if key not in self._ndc_seen:
            _bounded(self._ndc_seen)
            self._ndc_seen[key] = self._by_ndc(ndc.digits, ndc.product, key[1])
        return self._ndc_seen[key]

    def by_name(self, name: str | None) -> Identity | None:
        if not name or not name.strip():
            return None
        if name not in self._name_seen:
            _bounded(self._name_seen)
            self._name_seen[name] = self._by_name_uncached(name.strip())
        return self._name_seen[name]

    def _by_ndc(self, digits: str, product: str, written: str) -> Identity | None:
        by = f"NDC {written}"
        drug = self._by_product.get(product)
        if drug is not None:
            return Identity(by, self._codes_of.get(drug.id, ()), (drug,))
        codes = self.cms.ndc_codes(digits)
        if not codes:
            return None
        drugs = _unique(self._drug_of_code[code] for code in codes if code in self._drug_of_code)
        return Identity(by, tuple(sorted(codes)), drugs)

    def _by_name_uncached(self, name: str) -> Identity | None:
        key = name.casefold()
        by = f"name '{name}'"
        drug = self._by_name.get(key)
        if drug is not None:
            return Identity(by, self._codes_of.get(drug.id, ()), (drug,))
        family = self._family_by_name.get(key)
        if not family:
            return None
        codes = sorted({code for member in family for code in self._codes_of.get(member.id, ())})
        return Identity(by, tuple(codes), tuple(family))


SEEN_AT_MOST = 4096  # identities remembered; typos must not grow a worker's memory forever


def _bounded(seen: dict[Any, Any]) -> None:
    if len(seen) >= SEEN_AT_MOST:
        seen.clear()


def _unique(drugs: Iterable[Drug]) -> tuple[Drug, ...]:
    found: dict[str, Drug] = {}
    for drug in drugs:
        found.setdefault(drug.id, drug)
    return tuple(found.values())
