"""What every section type shares. A section type is one module: a model plus ``render``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Iterable, Iterator, Literal, Mapping, Protocol, Sequence

from pydantic import BaseModel, ConfigDict, Field


# Text set inside a table cell or a box cannot break across pages, so its length is bounded: a cell
# taller than a page cannot be laid out at all. (Prose in the flow of the page, such as a narrative's
# body, may be as long as the spec file allows.)
Line = Annotated[str, Field(max_length=300)]  # a title, label or name
ColumnLabel = Annotated[str, Field(max_length=60)]  # may sit in a column only 5% of the page wide
Passage = Annotated[str, Field(max_length=1500)]  # a takeaway, a quote, an item in a box
Exposure = Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=12)]


@dataclass(frozen=True)
class NothingSelected:
    """What a table or chart prepares when its ``where`` matched no row and ``if_empty`` gives the text
    to print instead: its title and that text, no empty table or chart."""

    text: str


@dataclass(frozen=True)
class Ref:
    """A name a section points at, checked against the data before anything renders."""

    loc: tuple[str | int, ...]  # where, relative to the section
    kind: str  # figure | table | breakdown | source | column:<table>
    name: str


class ReportView(Protocol):
    """The checked report as a section (and its chart data) sees it: ``resolve.Report`` is the one.

    Declared here so that sections and charts, which the spec is made of, need not import ``resolve``,
    which loads the spec."""

    spec: Any
    loaded: Any
    figures: Mapping[str, Any]
    breakdowns: Mapping[str, Any]
    tables: Mapping[str, Any]
    sources: Any
    units: Any

    def format(self, name: str, *args: Any, **kwargs: Any) -> str: ...

    def plain(self, text: str) -> str: ...

    def unit(self, name: str) -> Any: ...

    def source_number(self, key: str) -> int: ...


class RenderContext(Protocol):
    """What a section's ``render`` is given: ``render.context.RenderContext`` is the one. Declared here
    so that a section module imports no renderer above it (the renderer calls the sections)."""

    report: ReportView
    theme: Any
    fonts: Any
    styles: dict[str, Any]
    chart_style: Any
    frame_width: float
    series_colours: Any
    prepared: Any
    chart_cache: Path | None
    laid_out: Any
    section: int | None
    grid: Any  # ``render.grid.PageGrid``: the text column and the rail
    kit: Any  # ``render.kit``: the flowables several section types share

    def next_exhibit(self) -> int: ...

    def markup(self, text: str, style: str = "body") -> str: ...

    def paragraph(self, text: str, style: str = "body") -> Any: ...

    def keep_last_word(self, text: str, style: str) -> None: ...

    def heading(self, text: str, level: int = 2) -> Any: ...

    def plain(self, text: str) -> str: ...

    def cite_link(self, keys: list[str]) -> str: ...

    def date(self, value: Any) -> str: ...

    def provenance(self, figure_names: Iterable[str] = (), source_ids: Iterable[str] = (), as_of: Any = ()) -> Any: ...


class SectionModel(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str | None = None  # anchor name; defaults to the section's type and position
    # rail: in the rail beside the text that follows (types with IN_RAIL); main: in the flow of the page.
    # Unset: where the layout puts it (page 1's rail takes the analyst box and the first key figures).
    place: Literal["rail", "main"] | None = None

    IN_RAIL: ClassVar[bool] = False  # whether the section can be set in the rail (``render_rail``)
    is_exhibit: ClassVar[bool] = False  # a numbered exhibit (Exhibit 3: ...) text may refer to: {{ exhibit: id }}

    @property
    def railed(self) -> bool:
        """Set in the rail wherever it stands: ``place: rail``, or an analyst box with no place (the
        layout may also move page 1's first key figures there: ``render.pdf.rail_plan``)."""
        return self.place == "rail" or (self.place is None and getattr(self, "type", None) == "analysts")

    def anchor(self, index: int) -> str:
        """The section's link target and outline key: its ``id``, else its position and type (``section-3-narrative``)."""
        return self.id or f"section-{index + 1}-{getattr(self, 'type', 'section')}"

    def refs(self) -> Iterator[Ref]:
        return iter(())

    def ignored_keys(self) -> Iterator[tuple[tuple[str | int, ...], str, str | None]]:
        """Keys written in the spec that this section would not use, as (where, message, hint): every
        key written is either honoured or refused."""
        return iter(())

    def layout_problems(self) -> Iterator[tuple[tuple[str | int, ...], str, str | None]]:
        """What would stop this section being laid out, as (where relative to the section, message, hint)."""
        return iter(())

    def heading(self) -> str | None:
        """The title shown in the PDF outline (None: not in the outline)."""
        return getattr(self, "title", None)

    def prepare(self, report: ReportView) -> Any:
        """Check the section against the data (raise ``tables.DataErrors``) and return what it shows.

        Runs at validate and at build alike; ``render`` gets the result as ``ctx.prepared``.
        """
        return None

    def exhibit_charts(self) -> tuple[Any, ...]:
        """The charts this section shows, each drawn from its prepared data (so layout can have
        every missing chart drawn up front, in parallel)."""
        return ()

    def render(self, ctx: RenderContext) -> list[Any]:  # list of reportlab flowables
        raise NotImplementedError

    def render_rail(self, ctx: RenderContext) -> list[Any]:
        """The section set in the rail (``ctx.grid.rail_width`` wide): flowables stacked one under the
        other, which may part between pages. Only for types with ``IN_RAIL``."""
        raise NotImplementedError


def exhibit_numbers(sections: Sequence[SectionModel]) -> dict[int, int]:
    """Each exhibit section's number (by its index in the spec), as its title prints it: in order."""
    exhibits = [index for index, section in enumerate(sections) if section.is_exhibit]
    return {index: number for number, index in enumerate(exhibits, start=1)}
