"""The section registry: the one place a section type is added."""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from .analysts import Analysts
from .base import Ref, SectionModel
from .chart import Chart
from .comparison import Comparison
from .disclaimer import Disclaimer
from .disclosures import Disclosures
from .implications import Implications
from .instrument_table import InstrumentTable
from .kpi_strip import KpiStrip
from .masthead import Masthead
from .narrative import Narrative
from .opportunities_risks import OpportunitiesRisks
from .quote import Quote
from .sector_breakdown import SectorBreakdown
from .sources import Sources
from .table import TableSection
from .takeaways import Takeaways

SECTION_MODELS: tuple[type[SectionModel], ...] = (
    Masthead,
    Analysts,
    Takeaways,
    KpiStrip,
    Narrative,
    Quote,
    OpportunitiesRisks,
    InstrumentTable,
    SectorBreakdown,
    Comparison,
    Chart,
    TableSection,
    Implications,
    Sources,
    Disclosures,
    Disclaimer,
)
SECTION_TYPES: tuple[str, ...] = tuple(model.model_fields["type"].annotation.__args__[0] for model in SECTION_MODELS)
RAIL_TYPES: tuple[str, ...] = tuple(kind for kind, model in zip(SECTION_TYPES, SECTION_MODELS) if model.IN_RAIL)

AnySection = Annotated[Union[SECTION_MODELS], Field(discriminator="type")]  # type: ignore[valid-type]

__all__ = ["AnySection", "RAIL_TYPES", "Ref", "SECTION_MODELS", "SECTION_TYPES", "SectionModel"]
