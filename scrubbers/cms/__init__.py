"""CMS's own files, loaded as published, and the reference bundle compiled from them.

One module per file kind: ``asp_pricing`` (ASP pricing file), ``crosswalk`` (ASP
NDC-HCPCS crosswalk), ``hcpcs`` (HCPCS Level II, CSV or fixed width), ``noc`` (NOC code
list); ``dosage`` reads a unit size, ``source`` holds what they share. Each parser is a
pure function of the file's bytes that returns a whole table or raises ``CmsFileError``
naming the file, line and column. ``importer`` finds the files in a download directory,
``bundle`` compiles them into one JSON document and reads it back as a ``CmsCatalog``.
"""

from claimscrub.scrubbers.cms.bundle import (
    CmsBundleError,
    build_bundle,
    bundle_digest,
    check_bundle,
    read_bundle,
    shipped_bundle,
    write_bundle,
)
from claimscrub.scrubbers.cms.catalog import CmsCatalog
from claimscrub.scrubbers.cms.dosage import UnitSize, parse_unit_size
from claimscrub.scrubbers.cms.importer import import_sources
from claimscrub.scrubbers.cms.source import CmsFileError, Period

__all__ = [
    "CmsBundleError",
    "CmsCatalog",
    "CmsFileError",
    "Period",
    "UnitSize",
    "build_bundle",
    "bundle_digest",
    "check_bundle",
    "import_sources",
    "parse_unit_size",
    "read_bundle",
    "shipped_bundle",
    "write_bundle",
]
