"""The shipped CMS source files, and real rows of them for tests that build small files.

Every row below is copied byte for byte from a shipped file; ``test_real_rows_are_copies``
checks that they still occur there."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

CMS = Path(str(files("claimscrub.scrubbers.data"))) / "cms"
SOURCES = CMS / "sources"
PRICING = "asp-2025-10/pricing.csv"
CROSSWALK = "asp-2025-10/ndc-hcpcs-crosswalk.csv"
HCPCS = "hcpcs-2025-07/hcpcs-level2.csv"
NOC = "hcpcs-2025-07/noc-codes.csv"


@cache
def source(name: str) -> bytes:
    return (SOURCES / name).read_bytes()


# pricing.csv: the 8 preamble lines and the header, then rows.
PRICING_PREAMBLE = (
    b"Payment Allowance Limits for Medicare Part B Drugs,,,,,,,,,,\r\n"
    b",,,,,,,,,,\r\n"
    b'"Effective October 1, 2025 through December 31, 2025",,,,,,,,,,\r\n'
    b",,,,,,,,,,\r\n"
    b"Note 1: Payment allowance limits subject to the ASP methodology are based on 2Q25 ASP"
    b" data.,,,,,,,,,,\r\n"
    b"Note 2: The absence or presence of a HCPCS code and the payment allowance limits in this"
    b" table does not indicate whether Medicare covers a drug.  These determinations shall be"
    b" made by the local Medicare contractor processing the claim.,,,,,,,,,,\r\n"
    b",,,,,,,,,,\r\n"
    b",,,,,,,,,,\r\n"
)
PRICING_HEADER = (
    b"HCPCS Code,Short Description,HCPCS Code Dosage,Payment Limit,Co-insurance Percentage,"
    b"Vaccine AWP%,Vaccine Limit,Blood AWP%,Blood limit,Clotting Factor,Notes\r\n"
)
A9606 = (  # its quoted Notes cell holds a bare line feed: two physical lines
    b'A9606,Radium ra223 dichloride ther,1 microCurie,N/A,20.000,,,,,,"microCurie 100% AWP ='
    b' $202.82\nmicroCurie 100% WAC = $169.02"\r\n'
)
J0121 = b'J0121,"Inj., omadacycline, 1 mg",1 MG,4.020,20.000,,,,,,\r\n'
J2323 = b"J2323,Natalizumab injection,1 MG,23.996,20.000,,,,,,\r\n"
J0714 = b"J0714,Ceftazidime and avibactam,.625 GM,104.730,20.000,,,,,,\r\n"
J7686 = b'J7686,"Treprostinil, non-comp unit", 1.74 MG,796.093,20.000,,,,,,\r\n'
J9325 = (  # 0xA0, a Windows-1252 non-breaking space, inside the dosage
    b"J9325,Inj talimogene laherparepvec,1 million\xa0PFU,73.935,18.748,,,,,,"
    b"Inflation-adjusted coinsurance\r\n"
)
J2791 = b"J2791,Rhophylac injection,100 IU,4.855,20.000,,,,,,\r\n"

# ndc-hcpcs-crosswalk.csv: 8 preamble lines, the header, rows; 240 empty trailing cells.
_TRAILING = b"," * 240 + b"\r\n"
_CROSSWALK_NOTE = (
    b"The ASP crosswalks are maintained by the Division of Data Analysis and Market Based"
    b" Pricing to support ASP-based Medicare Part B payments only. The crosswalks are intended"
    b" to help the public (including entities that submit manufacturer ASP data and providers"
    b" who bill for drugs) understand which drug products (identified by NDCs) are assigned to"
    b" which HCPCS billing codes. The crosswalks are not intended to be a comprehensive list"
    b" of all drugs/NDCs available in the United States. The NDC to HCPCS Crosswalk also"
    b" includes information on the NDC package size and the number of billable units (as"
    b" defined by the HCPCS code descriptor). Comments on the file may be sent to"
    b" sec303aspdata@cms.hhs.gov."
)


def crosswalk_row(cells: bytes) -> bytes:
    return cells + _TRAILING


def crosswalk_header(year: bytes = b"2025") -> bytes:
    return crosswalk_row(
        b"_" + year + b"_CODE,Short Description,LABELER NAME,NDC2,Drug Name,HCPCS dosage,"
        b"PKG SIZE,PKG QTY,BILLUNITS,BILLUNITSPKG"
    )


CROSSWALK_PREAMBLE = b"".join(
    crosswalk_row(line)
    for line in (
        b"October 2025 ASP NDC - HCPCS Crosswalk for Medicare Part B Drugs,,,,,,,,,",
        b'"     Effective October 1, 2025 through December 31, 2025",,,,,,,,,',
        b",,,,,,,,,",
        _CROSSWALK_NOTE + b",,,,,,,,,",
        b",,,,,,,,,",
        b",,,,,,,,,",
        b",,,,,,,,,",
        b",,,,,,,,,",
    )
)
TYSABRI = crosswalk_row(
    b"J2323,Natalizumab injection,Biogen Inc.,64406-0008-01,Tysabri,1 MG,15,1,300,300"
)
ARANESP = [
    crosswalk_row(
        b'J0881,"Darbepoetin alfa, non-esrd",Amgen Inc,55513-0002-04,Aranesp,1 MCG,1,4,25,100'
    ),
    crosswalk_row(
        b'J0882,"Darbepoetin alfa, esrd use",Amgen Inc,55513-0002-04,Aranesp,1 MCG,1,4,25,100'
    ),
]
SALINE = [
    crosswalk_row(
        b"J7030,Normal saline solution infus,B. Braun Medical Inc.,00264-5802-00,"
        b"Sodium Chloride,1000 CC,1000,12,1,12"
    ),
    crosswalk_row(
        b"J7040,Normal saline solution infus,B. Braun Medical Inc.,00264-5802-00,"
        b"Sodium Chloride,500 ML,1000,12,2,24"
    ),
    crosswalk_row(
        b"J7050,Normal saline solution infus,B. Braun Medical Inc.,00264-5802-00,"
        b"Sodium Chloride,250 CC,1000,12,4,48"
    ),
]
AMVUTTRA = crosswalk_row(  # 0xA0 after the drug name
    b'J0225,"Inj, vutrisiran, 1 mg","Alnylam Pharmaceuticals, Inc.",71336-1003-01,'
    b"Amvuttra\xa0,1 MG,0.5,1,25,25"
)
KETOROLAC = crosswalk_row(  # a bare line feed inside the quoted drug name
    b"J1885,Ketorolac tromethamine inj,Henry Schein Inc.,00404-9998-01,"
    b'"Ketorolac Tromethamine\n",15 MG,1,1,1,1'
)
CAREPATCH = crosswalk_row(  # 0x99 (TM) in the drug name; a 12-digit "NDC"
    b"Q4236,Carepatch per sq cm,Extremity Care,382567000014,CarePatch\x99 Amniotic Membrane,"
    b"1 SQ CM,4,1,4,4"
)
GAMMAGRAFT = crosswalk_row(
    b'Q4111,Gammagraft,"Promethean Lifesciences, Inc.",GG100,GammaGraft,1 SQ CM,2.25,1,2.25,3'
)
ALLOSKIN = crosswalk_row(  # 5-5: ten digits, no telling where the zero goes
    b"Q4115,Alloskin,Allosource ,51120-61052,AlloSkin,1 SQ CM,120,1,120,120"
)
MEMBRANE_WRAP = crosswalk_row(  # 5-6: eleven digits, hyphen misplaced
    b"Q4205,Membrane graft or wrap sq cm,Bls Sales And Marketing LLC,50016-091605,"
    b"Membrane Wrap,1 SQ CM,1,1,1,1"
)

# hcpcs-level2.csv and noc-codes.csv (UTF-8, CRLF).
HCPCS_HEADER = b"HCPCS,LONG_DESCRIPTION\r\n"
HCPCS_ROWS = [
    b'J2323,"Injection, natalizumab, 1 mg"\r\n',
    b"J3490,Unclassified drugs\r\n",
    b"JW,Drug amount discarded/not administered to any patient\r\n",
    b"A1,Dressing for one wound\r\n",
]
NOC_HEADER = b"HCPCS,LONG DESCRIPTION,ADD DATE,TERM DATE\r\n"
NOC_ROWS = [
    b"J3490,Unclassified drugs,19860101,\r\n",
    b'J7192,"Factor viii (antihemophilic factor, recombinant) per i.u., not otherwise",'
    b"19940101,\r\n",
    b"J7192,specified,,\r\n",
    b'A9599,"Radiopharmaceutical, diagnostic, for beta-amyloid positron emission tomography'
    b' (pet) imaging, per study dose, not otherwise specified",20140101,20171231\r\n',
]

REAL_ROWS = {
    PRICING: [PRICING_PREAMBLE + PRICING_HEADER, A9606 + J0121, J2323, J0714, J7686, J9325, J2791],
    CROSSWALK: [
        CROSSWALK_PREAMBLE + crosswalk_header(),
        TYSABRI,
        *ARANESP,
        *SALINE,
        AMVUTTRA,
        KETOROLAC,
        CAREPATCH,
        GAMMAGRAFT,
        ALLOSKIN,
        MEMBRANE_WRAP,
    ],
    HCPCS: [HCPCS_HEADER, *HCPCS_ROWS],
    NOC: [NOC_HEADER, *NOC_ROWS],
}
