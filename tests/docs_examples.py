"""The documentation's YAML examples, each made into a spec in a copy of the example project.

Every ```yaml block in docs/ and README.md is one of: a whole spec; one section or a list of them; a
fragment of a spec (top-level spec keys), of a data file, of brand.yml or of a recipients file; or a
comment. A block that is none of these (a CI workflow), or is incomplete on purpose (a contract listing
every key), says so on the line before it: ``<!-- not-a-spec: why -->``. A code block after
``<!-- file: PATH -->`` is a file the examples name (a recipients CSV): ``documented_files`` writes it.

Sections go into a brief that has both examples' data (the US–Japan figures, instruments and prices;
the grid-storage tables), followed by a sources section and the example brief's disclosures; fragments are
merged into that brief, its figures or its brand. ``tests/test_docs.py`` validates every example and
builds the sections together; ``docs/make_pictures.py`` draws the pictures from the same specs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
NOT_A_SPEC = re.compile(r"<!--\s*not-a-spec:\s*(.+?)\s*-->")
FILE = re.compile(r"<!--\s*file:\s*(\S+)\s*-->")
FENCE = re.compile(r"^```(\w*)[^\n]*$")
SPEC_KEYS = {"title", "subtitle", "date", "author", "subject", "keywords", "language", "locale", "page_size",
             "brand", "data", "checks", "toc", "classification", "sections", "output", "delivery"}
REQUIRED_SPEC_KEYS = {"title", "date", "brand", "data", "sections"}
DATA_KEYS = {"units", "figures", "breakdowns", "sources"}
BRAND_KEYS = {"meta", "logo", "color", "typography", "defaults"}
END_OF_EXAMPLE = "End of the example"  # a picture is cut where the section of this title starts

BASE = """\
title: Documentation example
date: 2026-07-15
author: deckgen documentation
brand: ../assets/brand.yml
classification: investment-research
data:
  figures: ../data/us-japan/figures.yaml
  sources: ../data/us-japan/sources.yaml
  storage_figures: ../data/grid-storage/figures.yaml
  storage_sources: ../data/grid-storage/sources.yaml
  instruments:
    path: ../data/us-japan/instruments.csv
    source: original-brief
    as_of: 2026-02-16
    columns: {name: text, ticker: ticker, asset_class: text, theme: text, key_figure: text}
  prices:
    path: ../data/us-japan/prices.csv
    source: illustrative-prices
    as_of: 2026-02-13
    columns: {ticker: ticker, price: {type: number, decimals: 2, label: Price}, currency: text, priced_at: datetime, venue: text}
  view_history:
    path: ../data/us-japan/view-history.csv
    source: illustrative-views
    as_of: 2026-02-16
    columns: {date: date, instrument: text, ticker: ticker, view: text, price: {type: number, decimals: 2}, currency: text}
  coverage:
    path: ../data/us-japan/coverage.csv
    source: illustrative-views
    as_of: 2026-02-16
    columns: {instrument: text, view: text, banking: text}
  capacity:
    path: ../data/grid-storage/capacity.csv
    source: illustrative-capacity
    as_of: 2026-06-30
    columns: {month: date, country: text, gw: {type: number, unit: GW, label: Installed capacity}}
  additions:
    path: ../data/grid-storage/additions.csv
    source: illustrative-additions
    as_of: 2026-06-30
    columns:
      quarter: date
      lfp: {type: number, unit: GW, label: LFP}
      nmc: {type: number, unit: GW, label: NMC}
      sodium_ion: {type: number, unit: GW, label: Sodium-ion}
      flow: {type: number, unit: GW, label: Flow}
  costs:
    path: ../data/grid-storage/costs.csv
    source: illustrative-costs
    as_of: 2026-06-30
    columns: {low: {type: number, unit: EUR/kWh, label: Installed cost}, high: {type: number, unit: EUR/kWh, label: Installed cost}}
  projects:
    path: ../data/grid-storage/projects.csv
    source: illustrative-projects
    as_of: 2026-07-01
    columns: {mw: {type: number, unit: MW, label: Power}, mwh: {type: number, unit: MWh, label: Energy},
              capex_eur: {type: number, unit: EUR, label: Capex}, cod: {type: date, label: Online}}
  tariffs:
    path: ../data/us-japan/tariffs.csv
    source: framework-structure
    as_of: 2026-02-16
    columns:
      measure: {type: text, label: Tariff}
      before_pct: {type: number, unit: percent, label: Before}
      after_pct: {type: number, unit: percent, label: After}
      change_pp: {type: number, unit: pp, label: Change}
sections:
"""

TRAILING_SOURCES = """\
  - type: sources
"""

END_MARKER = f"""\
  - type: narrative
    title: {END_OF_EXAMPLE}
    body: This section and those after it are not part of the picture.
"""

# The example brief's disclosures: a brief with instruments or a recommendation's words needs them.
TRAILING_DISCLOSURES = """\
  - type: disclosures
    note: The analysts and entity below are illustrative placeholders.
    issuer: {legal_form: LLP, regulator: an illustrative financial regulator (reference 000000), address: "1 Example Street, London"}
    analysts:
      - {name: Alex Example, title: Senior Strategist, email: alex.example@example.com}
    views_statement: The views in this brief are thematic; it assigns no ratings and sets no price targets.
    methodology: {text: Views weigh each instrument's exposure to its theme against its valuation.}
    horizon: 12 months
    updates: Monthly
    history: {table: view_history, date: date, instrument: instrument, view: view, price: price, currency: currency}
    coverage: {table: coverage, view: view, banking: banking}
    prices: {table: prices, instrument: instrument, price: price, currency: currency, at: priced_at, venue: venue}
    completed: 2026-07-14T18:00:00+00:00
    disseminated: 2026-07-15T07:00:00+00:00
    disclosed_to_issuers: false
    restrictions: For professional investors only.
    distribution: [UK]
"""


@dataclass(frozen=True)
class Example:
    page: str  # relative to the repository
    line: int  # of the opening fence
    text: str
    not_a_spec: str | None  # why, from <!-- not-a-spec: ... --> on the line before

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def kind(self) -> str:
        """spec, sections, section, spec-fragment, data-fragment, brand-fragment, recipients, comment,
        or unknown."""
        if all(not line.strip() or line.lstrip().startswith("#") for line in self.text.splitlines()):
            return "comment"
        data = self.data
        if isinstance(data, list):
            if data and all(isinstance(item, dict) and "type" in item for item in data):
                return "sections"
            if data and all(isinstance(item, str) or (isinstance(item, dict) and "email" in item) for item in data):
                return "recipients"
            return "unknown"
        if not isinstance(data, dict):
            return "unknown"
        keys = set(data)
        if "type" in keys:
            return "section"
        if keys >= REQUIRED_SPEC_KEYS and keys <= SPEC_KEYS:
            return "spec"
        if keys <= SPEC_KEYS:
            return "spec-fragment"
        if keys <= DATA_KEYS:
            return "data-fragment"
        if keys <= BRAND_KEYS:
            return "brand-fragment"
        if keys == {"recipients"}:
            return "recipients"
        return "unknown"

    @property
    def data(self):
        from deckgen.yamlsrc import parse_yaml

        return parse_yaml(self.text, Path(self.where), expect_mapping=False).data


def pages() -> list[Path]:
    return [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]


def examples(paths: list[Path] | None = None) -> list[Example]:
    """Every ```yaml block of the given pages (default: README.md and docs/), in order."""
    found = []
    for path in paths or pages():
        lines = path.read_text("utf-8").splitlines()
        index = 0
        while index < len(lines):
            fence = FENCE.match(lines[index])
            if not fence:
                index += 1
                continue
            end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
            if fence.group(1) in ("yaml", "yml"):
                before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
                reason = NOT_A_SPEC.search(before)
                found.append(Example(path.relative_to(REPO).as_posix(), index + 1, "\n".join(lines[index + 1:end]) + "\n",
                                     reason.group(1) if reason else None))
            index = end + 1
    return found


def documented_files(project: Path) -> list[Path]:
    """Write every code block that follows ``<!-- file: PATH -->`` in docs/ to PATH in ``project``."""
    written = []
    for page in pages():
        lines = page.read_text("utf-8").splitlines()
        for index, line in enumerate(lines):
            named = FILE.search(line)
            if not named:
                continue
            start = index + 1
            if start >= len(lines) or not FENCE.match(lines[start]):
                raise ValueError(f"{page.relative_to(REPO)}:{index + 1}: <!-- file: ... --> must be right above a code block")
            end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
            target = project / named.group(1)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(lines[start + 1:end]) + "\n", "utf-8")
            written.append(target)
    return written


@dataclass(frozen=True)
class Made:
    spec: Path
    first_line: int  # the example's first line in the spec; 0 when it was merged into other files

    def docs_line(self, example: Example, line: int) -> int | None:
        """The line of the page that ``line`` of the spec came from, if the example was copied in line for line."""
        if not self.first_line or line < self.first_line or line >= self.first_line + example.text.count("\n"):
            return None
        return example.line + 1 + line - self.first_line


def make_spec(example: Example, project: Path, name: str, *, end_marker: bool = False) -> Made:
    """Write the spec ``example`` stands for (and any file it needs) into ``project``: specs/<name>.yaml.
    ``end_marker``: a section titled END_OF_EXAMPLE follows the example's own (where a picture ends)."""
    kind = example.kind
    spec = project / "specs" / f"{name}.yaml"
    if kind == "spec":
        spec.write_text(example.text, "utf-8")
        return Made(spec, 1)
    if kind in ("sections", "section"):
        body = _as_section_items(example.text, single=kind == "section")
        head = BASE
        sections = example.data if kind == "sections" else [example.data]
        spec.write_text(head + body + (END_MARKER if end_marker else "") + _trailing(sections), "utf-8")
        return Made(spec, head.count("\n") + 1)
    base = _base_data()
    if kind == "spec-fragment":
        merged = _merge(base, example.data)
        if "sections" in example.data:
            merged["sections"] = [*example.data["sections"]]
        merged["sections"] = merged.get("sections", []) + _trailing_sections(merged.get("sections", []), end_marker)
    elif kind == "data-fragment":
        figures = _merge(_load(REPO / "data/us-japan/figures.yaml"), _load(REPO / "data/grid-storage/figures.yaml"))
        sources = {"sources": _load(REPO / "data/us-japan/sources.yaml")["sources"]
                   + _load(REPO / "data/grid-storage/sources.yaml")["sources"]}
        fragment = dict(example.data)
        if "sources" in fragment:
            given = {source["id"] for source in fragment["sources"]}
            sources["sources"] = [s for s in sources["sources"] if s["id"] not in given] + fragment.pop("sources")
        _write_json(project / "data" / "docs" / f"{name}-figures.yaml", _merge(figures, fragment))
        _write_json(project / "data" / "docs" / f"{name}-sources.yaml", sources)
        merged = base
        for dataset in ("figures", "sources", "storage_figures", "storage_sources"):
            merged["data"].pop(dataset)
        merged["data"]["figures"] = f"../data/docs/{name}-figures.yaml"
        merged["data"]["sources"] = f"../data/docs/{name}-sources.yaml"
        merged["sections"] = _trailing_sections([], end_marker)
    elif kind == "brand-fragment":
        _write_json(project / "assets" / f"{name}-brand.yml", _merge(_load(REPO / "assets/brand.yml"), example.data))
        merged = {**base, "brand": f"../assets/{name}-brand.yml", "sections": _trailing_sections([], end_marker)}
    elif kind == "recipients":
        lists = project / "lists"
        lists.mkdir(exist_ok=True)
        (lists / f"{name}.yaml").write_text(example.text, "utf-8")
        merged = {**base, "delivery": {"recipients_file": f"../lists/{name}.yaml"}, "sections": _trailing_sections([], end_marker)}
    else:
        raise ValueError(f"{example.where}: not a spec, a section or a fragment of a spec, data file, brand or "
                         "recipients file; mark it with <!-- not-a-spec: why --> on the line before")
    _write_json(spec, merged)
    return Made(spec, 0)


def _as_section_items(text: str, single: bool) -> str:
    lines = text.splitlines()
    if single:
        lines = ["- " + lines[0]] + ["  " + line if line.strip() else line for line in lines[1:]]
    return "".join("  " + line + "\n" if line.strip() else "\n" for line in lines)


def _trailing(sections: list) -> str:
    types = {section.get("type") for section in sections if isinstance(section, dict)}
    return ("" if "sources" in types else TRAILING_SOURCES) + ("" if "disclosures" in types else TRAILING_DISCLOSURES)


def _trailing_sections(sections: list, end_marker: bool) -> list:
    from deckgen.yamlsrc import parse_yaml

    text = "sections:\n" + (END_MARKER if end_marker else "") + _trailing(sections)
    return parse_yaml(text, Path("trailing.yaml")).data["sections"]


def _base_data() -> dict:
    from deckgen.yamlsrc import parse_yaml

    return parse_yaml(BASE.replace("sections:\n", "sections: []\n"), Path("base.yaml")).data


def _load(path: Path):
    from deckgen.yamlsrc import parse_yaml

    return parse_yaml(path.read_text("utf-8"), path).data


def _merge(base, fragment):
    """``fragment`` laid over ``base``: mappings merged key by key, anything else replaced."""
    if isinstance(base, dict) and isinstance(fragment, dict):
        merged = dict(base)
        for key, value in fragment.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return fragment


def _write_json(path: Path, data) -> None:
    """JSON is YAML: what deckgen reads back is exactly these values, with no YAML 1.1 surprises."""
    def plain(value):
        if isinstance(value, (dt.date, dt.datetime, dt.time)):
            return value.isoformat()
        raise TypeError(f"cannot write {value!r} as JSON")

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, default=plain, ensure_ascii=False, indent=1), "utf-8")
