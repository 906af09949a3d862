"""Generate the scaled brief of issue 12: 96 narrative sections, 50 charts and a 5,000-row table.

    python bench/scaled.py                       # into a new temp dir; prints the spec's path
    python bench/scaled.py --out /tmp/scaled --rows 10000

The project is a copy of the example's assets and us-japan figures and sources, plus generated
ILLUSTRATIVE (synthetic, seeded) CSVs: one per chart, cycling through the kinds line, bar, hbar and
range, and a project register for the long ``type: table`` section. The narratives reuse the
investor brief's bodies (figures by name, citations by id) under numbered titles. Build it with
``deckgen build specs/scaled.yaml`` from the project folder; ``bench/baseline_brief.py --spec``
renders the same brief by hand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
KINDS = ("line", "bar", "hbar", "range")
COUNTRIES = ["Germany", "Great Britain", "Italy", "Spain", "France", "Netherlands", "Poland", "Sweden", "Belgium",
             "Austria", "Portugal", "Ireland"]
DEVELOPERS = ["Fjord Capital", "Baltic Grid Partners", "Aurora Storage", "Dune Energy", "Helios Flex", "Nordlicht",
              "Tagus Power", "Vistula Energy", "Alpine Batteries", "Celtic Storage"]
STATUSES = ["Operating", "Construction", "Permitted", "Planned"]
RIVERS = ["Rhône", "Loire", "Elbe", "Delta", "Danube", "Tagus", "Vistula", "Po", "Thames", "Shannon", "Oder", "Ebro"]
SOURCE = {"id": "illustrative-bench", "author": "deckgen bench", "title": "Generated illustrative data (synthetic)",
          "publisher": "deckgen", "date": dt.date(2026, 2, 1), "url": "https://example.com/bench",
          "accessed": dt.date(2026, 2, 16)}
AS_OF = dt.date(2026, 2, 1)
UNITS = """units:
  GW: {suffix: " GW", decimals: 1}
  MW: {suffix: " MW", decimals: 0}
  MWh: {suffix: " MWh", decimals: 0}
  EUR/kWh: {prefix: "€", suffix: "/kWh", decimals: 0, label: €/kWh}
  EUR: {prefix: "€", decimals: 0}
"""


EXHIBIT_REFERENCE = re.compile(r"\{\{\s*exhibit\s*:\s*[^}]*\}\}")


def _chart_csv(kind: str, n: int, rng: random.Random) -> tuple[str, dict, dict]:
    """(CSV text, data: columns, chart section keys) for chart ``n`` of ``kind``."""
    if kind == "line":
        months = [dt.date(2024 + (m // 12), m % 12 + 1, 1) for m in range(1, 25)]
        series = COUNTRIES[n % 6:n % 6 + 4]
        level = {s: rng.uniform(1, 6) for s in series}
        lines = ["month,country,gw"]
        for month in months:
            for s in series:
                level[s] *= rng.uniform(1.0, 1.06)
                lines.append(f"{month.isoformat()},{s},{level[s]:.2f}")
        columns = {"month": "date", "country": "text", "gw": {"type": "number", "unit": "GW", "label": "Capacity"}}
        return "\n".join(lines) + "\n", columns, {"x": "month", "y": "gw", "series": "country"}
    if kind in ("bar", "hbar"):
        count = 6 if kind == "bar" else 10
        lines = ["country,mw"] + [f"{c},{rng.randint(80, 2400)}" for c in COUNTRIES[:count]]
        columns = {"country": "text", "mw": {"type": "number", "unit": "MW", "label": "Pipeline"}}
        extra = {"x": "country", "y": "mw", "sort": "descending"}
        return "\n".join(lines) + "\n", columns, extra
    lines = ["market,low,high"]
    for c in COUNTRIES[:6]:
        low = rng.randint(180, 260)
        lines.append(f"{c},{low},{low + rng.randint(10, 70)}")
    columns = {"low": {"type": "number", "unit": "EUR/kWh", "label": "Installed cost"},
               "high": {"type": "number", "unit": "EUR/kWh", "label": "Installed cost"}}
    return "\n".join(lines) + "\n", columns, {"x": "market", "low": "low", "high": "high", "sort": "ascending"}


def _register(rows: int, rng: random.Random) -> str:
    lines = ["project,country,developer,mw,mwh,capex_eur,cod,status"]
    start = dt.date(2022, 1, 1)
    for n in range(rows):
        mw = rng.choice([20, 50, 75, 100, 150, 200, 300, 500])
        mwh = mw * rng.choice([1, 2, 4])
        cod = start + dt.timedelta(days=rng.randint(0, 2400))
        lines.append(f"{rng.choice(RIVERS)} Energy Store {n + 1},{rng.choice(COUNTRIES)},{rng.choice(DEVELOPERS)},"
                     f"{mw},{mwh},{mwh * rng.randint(180, 320) * 1000},{cod.isoformat()},{rng.choice(STATUSES)}")
    return "\n".join(lines) + "\n"


def make_project(target: Path, rows: int = 5000, narratives: int = 96, charts: int = 50, seed: int = 12) -> Path:
    """Write the scaled project into ``target``; returns the spec's path."""
    rng = random.Random(seed)
    shutil.copytree(REPO / "assets", target / "assets", dirs_exist_ok=True)
    data = target / "data" / "scaled"
    data.mkdir(parents=True, exist_ok=True)
    (target / "specs").mkdir(exist_ok=True)
    (target / "deckgen.toml").write_text("# project root marker\n")
    (data / "figures.yaml").write_text(UNITS + (REPO / "data" / "us-japan" / "figures.yaml").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    sources = yaml.safe_load((REPO / "data" / "us-japan" / "sources.yaml").read_text(encoding="utf-8"))
    sources["sources"].append(SOURCE)
    (data / "sources.yaml").write_text(yaml.safe_dump(sources, sort_keys=False, allow_unicode=True), encoding="utf-8")

    investor = yaml.safe_load((REPO / "specs" / "investor.yaml").read_text(encoding="utf-8"))
    bodies = [s for s in investor["sections"] if s["type"] == "narrative"]
    head = [s for s in investor["sections"] if s["type"] in ("masthead", "takeaways", "kpi_strip")]

    spec_data: dict = {"figures": "../data/scaled/figures.yaml", "sources": "../data/scaled/sources.yaml"}
    # the figures the prose reads from a table (the tariff terms): that table and its figures file come along
    for name, figures_name in (("tariffs", "tariff_figures"),):
        entry = investor["data"][name]
        for file in (Path(entry["path"]).name, Path(investor["data"][figures_name]).name):
            shutil.copy(REPO / "data" / "us-japan" / file, data / file)
        spec_data[name] = {**entry, "path": f"../data/scaled/{Path(entry['path']).name}"}
        spec_data[figures_name] = f"../data/scaled/{Path(investor['data'][figures_name]).name}"
    chart_sections = []
    for n in range(charts):
        kind = KINDS[n % len(KINDS)]
        text, columns, keys = _chart_csv(kind, n, rng)
        name = f"chart{n + 1:02d}"
        (data / f"{name}.csv").write_text(text, encoding="utf-8")
        spec_data[name] = {"path": f"../data/scaled/{name}.csv", "source": SOURCE["id"], "as_of": AS_OF,
                           "columns": columns}
        chart_sections.append({"type": "chart", "id": name, "kind": kind, "title": f"Exhibit series {n + 1}: {kind} chart",
                               "table": name, **keys,
                               "caption": f"Illustrative {kind} chart {n + 1} of {charts}, generated for the benchmark."})
    (data / "register.csv").write_text(_register(rows, rng), encoding="utf-8")
    spec_data["register"] = {"path": "../data/scaled/register.csv", "source": SOURCE["id"], "as_of": AS_OF,
                             "columns": {"mw": {"type": "number", "unit": "MW", "label": "Power"},
                                         "mwh": {"type": "number", "unit": "MWh", "label": "Energy"},
                                         "capex_eur": {"type": "number", "unit": "EUR", "label": "Capex"},
                                         "cod": {"type": "date", "label": "Online"}}}

    sections = list(head)
    every = max(1, narratives // max(1, charts))
    charts_left = list(chart_sections)
    for n in range(narratives):
        body = bodies[n % len(bodies)]
        # the investor brief's exhibits are not in this one: its cross-references point at the next chart instead
        nearby = charts_left[0]["id"] if charts_left else "register"
        text = EXHIBIT_REFERENCE.sub(f"{{{{ exhibit: {nearby} }}}}", body["body"])
        sections.append({"type": "narrative", "title": f"{n + 1}. {body['title']}", "body": text})
        if charts_left and (n + 1) % every == 0:
            sections.append(charts_left.pop(0))
    sections += charts_left
    sections.append({"type": "table", "id": "register", "title": "The project register", "table": "register",
                     "caption": f"All {rows:,} projects of the illustrative register."})
    sections += [{"type": "sources", "title": "Sources"},
                 {"type": "disclaimer", "text": "A benchmark brief made with deckgen. Its charts and table are "
                                                "illustrative (synthetic) data generated for the benchmark."}]
    spec = {key: investor[key] for key in ("title", "subtitle", "date", "author", "subject", "language", "locale",
                                           "page_size")}
    spec.update(title="US–Japan Strategic Alignment: the scaled edition", brand="../assets/brand.yml",
                data=spec_data, output="../dist/scaled.pdf", sections=sections)
    path = target / "specs" / "scaled.yaml"
    path.write_text("# Generated by bench/scaled.py: ILLUSTRATIVE (synthetic) data for the benchmark.\n"
                    + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="project folder (default: a new temp dir)")
    parser.add_argument("--rows", type=int, default=5000, help="rows of the long table (default 5000; try 10000)")
    args = parser.parse_args()
    target = args.out or Path(tempfile.mkdtemp(prefix="deckgen-scaled-"))
    target.mkdir(parents=True, exist_ok=True)
    print(make_project(target, rows=args.rows))


if __name__ == "__main__":
    main()
