"""The column layouts of AidData's files, told apart by their header.

GCDF 2.0 names its record id `AidData TUFF Project ID`; the Global Huawei Finance Dataset (a companion
of 2.0) has the same layout with `Recommended For Huawei Aggregates`; GCDF 3.0 names it `AidData
Record ID`, drops the `... Origin` columns (the origin is a prefix of the type: `Chinese State-owned
Company`) and splits accountable agencies into guarantor, insurer and collateral provider.

AidData's flag for rows to leave out of totals is named for the file or tab it is in: `Recommended For
Aggregates`, `Recommended For Huawei Aggregates`, and so on. Any column of that form is the flag; a
header with two of them is refused, since which one applies is not known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from importers.metadata import Metadata

RECOMMENDED = re.compile(r"^Recommended For (?:.+ )?Aggregates$")


METADATA = Metadata.load(Path(__file__).with_name("gcdf.yml"))
# The Source node every fact from one edition of the dataset cites, by its id (checked by the schema).
SOURCES = {source_id: {"id": source_id, **props} for source_id, props in METADATA.sources.items()}


@dataclass(frozen=True)
class AgencyColumns:
    """One party column: pipe-separated names, with parallel types (and, in 2.0, origins)."""

    role: str
    names: str
    types: str
    origins: str | None = None


@dataclass(frozen=True)
class Amounts:
    """Where a file keeps its amounts; the first column of each list that the header has is used."""

    original: tuple[tuple[str, str | None], ...]  # (amount column, currency column; None means USD)
    usd: tuple[str, ...]
    usd_basis: str


@dataclass(frozen=True)
class Layout:
    name: str
    source: str  # the id of the Source node (SOURCES) its records cite
    id_column: str
    recommended_column: str  # the name this layout's own files give AidData's aggregates flag
    sector_column: str
    flow_type_columns: tuple[str, ...]
    amounts: Amounts
    agencies: tuple[AgencyColumns, ...]
    iso3_column: str | None = None

    @property
    def required(self) -> tuple[str, ...]:
        return (self.id_column, "Title", "Recipient", "Commitment Year", "Status", "Funding Agencies",
                "Funding Agencies Type")

    def missing_columns(self, header: Iterable[str]) -> list[str]:
        """Required columns the header lacks, and type columns lacking beside a names column it has."""
        present = set(header)
        missing = [c for c in self.required if c not in present]
        missing += [a.types for a in self.agencies if a.names in present and a.types not in present
                    and a.types not in missing]
        return missing

    def recommended_columns(self, header: Iterable[str]) -> list[str]:
        """The header's "Recommended For ... Aggregates" columns (one is read; two are an error)."""
        return [c for c in header if RECOMMENDED.match(c)]

    def amount_columns(self, header: Iterable[str]) -> tuple[tuple[str, str | None] | None, str | None]:
        present = set(header)
        original = next(((a, c) for a, c in self.amounts.original if a in present), None)
        usd = next((c for c in self.amounts.usd if c in present), None)
        return original, usd


GCDF2_AGENCIES = (
    AgencyColumns("funder", "Funding Agencies", "Funding Agencies Type", "Funding Agencies Origin"),
    AgencyColumns("co-financier", "Cofinancing Agencies", "Cofinancing Agencies Type", "Cofinancing Agencies Origin"),
    AgencyColumns("receiver", "Receiving Agencies", "Receiving Agencies Type", "Receiving Agencies Origin"),
    AgencyColumns("implementer", "Implementing Agencies", "Implementing Agencies Type", "Implementing Agencies Origin"),
    AgencyColumns("accountable", "Accountable Agencies", "Accountable Agencies Type", "Accountable Agencies Origin"),
)
GCDF2_AMOUNTS = Amounts(
    original=(("Amount (Original Currency)", "Original Currency"),),
    usd=("Amount (Constant USD2017)",),
    usd_basis="constant 2017 US dollars",
)


def _gcdf2(name: str, source: str, recommended_column: str) -> Layout:
    return Layout(name=name, source=source, id_column="AidData TUFF Project ID", recommended_column=recommended_column,
                  sector_column="AidData Sector Name", flow_type_columns=("Flow Type",), amounts=GCDF2_AMOUNTS,
                  agencies=GCDF2_AGENCIES)


GCDF2 = _gcdf2("GCDF 2.0", "aiddata-gcdf-2", "Recommended For Aggregates")
HUAWEI = _gcdf2("Global Huawei Finance Dataset 2.0", "aiddata-gcdf-2-huawei", "Recommended For Huawei Aggregates")
GCDF3 = Layout(
    name="GCDF 3.0",
    source="aiddata-gcdf-3",
    id_column="AidData Record ID",
    recommended_column="Recommended For Aggregates",
    sector_column="Sector Name",
    flow_type_columns=("Flow Type", "Flow Type Simplified"),
    # Extracts of 3.0 may keep only the adjusted amounts (and the nominal USD one as the original value).
    amounts=Amounts(
        original=(("Amount (Original Currency)", "Original Currency"),
                  ("Adjusted Amount (Original Currency)", "Original Currency"),
                  ("Amount (Nominal USD)", None), ("Adjusted Amount (Nominal USD)", None)),
        usd=("Amount (Constant USD 2021)", "Adjusted Amount (Constant USD 2021)"),
        usd_basis="constant 2021 US dollars",
    ),
    agencies=(
        AgencyColumns("funder", "Funding Agencies", "Funding Agencies Type"),
        AgencyColumns("co-financier", "Co-financing Agencies", "Co-financing Agencies Type"),
        AgencyColumns("receiver", "Direct Receiving Agencies", "Direct Receiving Agencies Type"),
        AgencyColumns("indirect receiver", "Indirect Receiving Agencies", "Indirect Receiving Agencies Type"),
        AgencyColumns("implementer", "Implementing Agencies", "Implementing Agencies Type"),
        AgencyColumns("guarantor", "Guarantor", "Guarantor Agency Type"),
        AgencyColumns("insurer", "Insurance Provider", "Insurance Provider Agency Type"),
        AgencyColumns("collateral provider", "Collateral Provider", "Collateral Provider Agency Type"),
    ),
    iso3_column="Recipient ISO-3",
)


LAYOUTS = (GCDF3, GCDF2, HUAWEI)


def detect(header: Iterable[str]) -> Layout | None:
    """The layout whose id column the header has (the Huawei file by its own aggregates column)."""
    present = set(header)
    if "AidData Record ID" in present:
        return GCDF3
    if "AidData TUFF Project ID" in present:
        return HUAWEI if HUAWEI.recommended_column in present else GCDF2
    return None


# GCOF 1.0 (2017), the dataset before the TUFF layouts, is read by a bundled tabular mapping instead.
GCOF1_COLUMNS = ("project_id", "recommended_for_research")
GCOF1_MAPPING = "aiddata-gcof-1"
HOW_TO_MAP = ("to import a table of another layout, write a mapping for the tabular importer "
              "(`influence import tabular FILE --mapping YOUR-MAPPING.yaml`; see importers/tabular/README.md)")


def unknown_layout_message(header: Iterable[str] = ()) -> str:
    """What a header of no known layout lacks: the layouts that exist, the columns each expects, and
    how to import the file another way (GCOF 1.0 by its bundled mapping)."""
    if set(GCOF1_COLUMNS) <= set(header):
        return ("is AidData's Global Chinese Official Finance Dataset 1.0 (GCOF 1.0: `project_id`, "
                "`recommended_for_research`), which this importer does not read; import it with the bundled "
                f"mapping: `influence import tabular FILE --mapping {GCOF1_MAPPING}`")
    known = "; ".join(f"{layout.name}: {', '.join(f'`{c}`' for c in (*layout.required, layout.recommended_column))}"
                      for layout in LAYOUTS)
    return ("is not a layout this importer knows: its record id column (`AidData Record ID` or `AidData TUFF "
            f"Project ID`) is missing. Known layouts and the columns they expect: {known}. GCOF 1.0 "
            f"(`project_id`, `recommended_for_research`) is read by the tabular mapping `{GCOF1_MAPPING}`; "
            f"{HOW_TO_MAP}")
