"""``archive: pdfa-3b``: PDF/A-3b with the evidence inside (issue 25).

The edition carries its manifest and every dataset it read as associated files (ISO 19005-3 6.8):
each an /EmbeddedFile stream with its MIME type, /Params (/ModDate from the data, /Size, /CheckSum),
a file specification with /F, /UF, /Desc and /AFRelationship, listed in the catalog's /AF and in its
/EmbeddedFiles name tree. page-validation's 3b and ua1 profiles pass; ``deckgen proof`` re-checks
every printed figure against the embedded data and catches a tampered file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import page
import pikepdf
import pytest

from conftest import copy_project
from deckgen import evidence
from deckgen.build import build

PDFA3 = "archive=pdfa-3b"
GRID_FILES = {
    "manifest.json": ("/Supplement", "application/json"),
    "specs/grid-storage.yaml": ("/Source", "application/yaml"),
    "assets/brands/harbor/brand.yml": ("/Source", "application/yaml"),
    "data/grid-storage/figures.yaml": ("/Data", "application/yaml"),
    "data/grid-storage/sources.yaml": ("/Data", "application/yaml"),
    "data/grid-storage/capacity.csv": ("/Data", "text/csv"),
    "data/grid-storage/additions.csv": ("/Data", "text/csv"),
    "data/grid-storage/costs.csv": ("/Data", "text/csv"),
    "data/grid-storage/projects.csv": ("/Data", "text/csv"),
}


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> Path:
    """A copy of the example project with both examples built as pdfa-3b editions."""
    root = copy_project(tmp_path_factory.mktemp("pdfa3"))
    for name in ("investor", "grid-storage"):
        build(root / "specs" / f"{name}.yaml", overrides=[PDFA3])
    return root


def _attachments(pdf: Path) -> dict[str, tuple[str, str, bytes]]:
    """Each embedded file's name -> (its /AFRelationship, /Desc, bytes), from the /EmbeddedFiles name tree."""
    with pikepdf.open(pdf) as document:
        return {name: (str(spec.obj.AFRelationship), str(spec.obj.Desc), spec.get_file().read_bytes())
                for name, spec in document.attachments.items()}


def _name_tree_keys(pdf: pikepdf.Pdf) -> list[bytes]:
    names = pdf.Root.Names.EmbeddedFiles.Names
    return [bytes(names[i]) for i in range(0, len(names), 2)]


@pytest.mark.parametrize("name", ["investor", "grid-storage"])
def test_both_examples_are_pdf_a_3b_and_still_pdf_ua_1(editions: Path, name: str):
    pdf = editions / "dist" / f"{name}.pdf"
    for profile in ("3b", "ua1"):
        report = page.validate_pdf(str(pdf), profile=profile)
        assert [(f.rule_id, f.message) for f in report.failures] == [], profile
        assert report.is_compliant and report.rules.failed == 0 and report.rules.total > 100, profile
    with pikepdf.open(pdf) as document:
        meta = document.open_metadata()
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "B"


def test_the_pages_are_those_of_the_pdf_a_2b_edition(editions: Path, example_pdf: Path):
    import pypdfium2

    carried, plain = pypdfium2.PdfDocument(editions / "dist" / "investor.pdf"), pypdfium2.PdfDocument(example_pdf)
    assert len(carried) == len(plain) == 8
    for number in range(len(plain)):
        assert carried[number].render().to_pil().tobytes() == plain[number].render().to_pil().tobytes(), number + 1


def test_the_default_is_pdf_a_2b_with_nothing_embedded(example_pdf: Path, tmp_path: Path):
    with pikepdf.open(example_pdf) as document:
        assert document.open_metadata()["pdfaid:part"] == "2"
        assert "/AF" not in document.Root and "/Names" not in document.Root and not document.attachments
    # the 3b profile on a 2b edition: everything but the part it declares
    report = page.validate_pdf(str(example_pdf), profile="3b")
    assert [f.rule_id for f in report.failures] == ["PDFA3B-ID-PART-001"]
    explicit = build(example_pdf.parent.parent / "specs" / "investor.yaml", output=tmp_path / "2b.pdf",
                     overrides=["archive=pdfa-2b"])
    assert explicit.output.read_bytes() == example_pdf.read_bytes()


def test_every_file_is_an_associated_file_with_its_type_size_checksum_and_date(editions: Path):
    pdf = editions / "dist" / "grid-storage.pdf"
    attachments = _attachments(pdf)
    assert set(attachments) == set(GRID_FILES)
    with pikepdf.open(pdf) as document:
        keys = _name_tree_keys(document)
        assert keys == sorted(keys) == sorted(name.encode() for name in GRID_FILES)
        associated = [spec.objgen for spec in document.Root.AF]
        names = document.Root.Names.EmbeddedFiles.Names
        assert associated == [names[i].objgen for i in range(1, len(names), 2)], "/AF lists the same file specifications"
        for spec in document.Root.AF:
            name = str(spec.UF)
            relationship, mime = GRID_FILES[name]
            assert spec.Type == "/Filespec" and str(spec.F) == name and spec.AFRelationship == relationship
            assert not name.startswith("/") and ".." not in name.split("/") and str(editions) not in name
            assert len(str(spec.Desc)) > 20
            stream = spec.EF.F
            assert spec.EF.UF.objgen == stream.objgen and stream.Type == "/EmbeddedFile"
            assert str(stream.Subtype) == "/" + mime  # written /text#2Fcsv: pikepdf shows the name decoded
            data = stream.read_bytes()
            assert int(stream.Params.Size) == len(data)
            assert bytes(stream.Params.CheckSum) == hashlib.md5(data).digest()
            if name != "manifest.json":
                assert data == (editions / name).read_bytes(), f"{name} is the project's file, byte for byte"
        dates = {str(spec.UF): str(spec.EF.F.Params.ModDate) for spec in document.Root.AF}
    # from the data: a table's as_of; the other files, the report date; never the clock
    assert dates["data/grid-storage/capacity.csv"] == "D:20260630000000+00'00'"
    assert dates["data/grid-storage/projects.csv"] == "D:20260701000000+00'00'"
    assert dates["data/grid-storage/figures.yaml"] == dates["manifest.json"] == "D:20260715000000+00'00'"


def test_the_manifest_inside_is_the_one_beside_less_what_only_the_written_file_tells(editions: Path):
    beside = json.loads((editions / "dist" / "grid-storage.manifest.json").read_text("utf-8"))
    *_, data = _attachments(editions / "dist" / "grid-storage.pdf")["manifest.json"]
    inside = json.loads(data)
    assert set(beside) - set(inside) == {"output", "pdf_sha256", "pages", "proof"}
    expected = {key: value for key, value in beside.items() if key not in ("output", "pdf_sha256", "pages", "proof")}
    del expected["checked_with"]["output_given"]
    assert inside == expected
    assert inside["checked_with"]["overrides"] == [PDFA3]
    assert {"name": "installed_total", "value": "34.0 GW", "raw": "34.0", "unit": "GW", "as_of": "2026-06-30",
            "source": "illustrative-capacity"} in inside["figures"]


def test_a_rebuild_is_byte_identical_wherever_it_is_written(editions: Path, tmp_path: Path):
    spec = editions / "specs" / "grid-storage.yaml"
    first = (editions / "dist" / "grid-storage.pdf").read_bytes()
    for name in GRID_FILES:  # new modification times: the dates inside come from the data
        if (editions / name).exists():
            os.utime(editions / name, (1_900_000_000, 1_900_000_000))
    again = build(spec, overrides=[PDFA3], output=tmp_path / "elsewhere.pdf")
    assert again.output.read_bytes() == first


def test_proof_re_checks_every_figure_against_the_embedded_data(editions: Path, cli):
    result = cli("proof", "dist/grid-storage.pdf", "dist/investor.pdf", cwd=editions)
    assert result.code == 0, result.stderr
    grid, investor = result.stdout.splitlines()
    assert grid.startswith("dist/grid-storage.pdf: proof passed: 5 page(s), ")
    assert grid.endswith(", 12 figure(s) on their pages, 12 figure(s) re-checked against embedded data (9 file(s))")
    assert investor.endswith(" figure(s) re-checked against embedded data (12 file(s))")
    record = json.loads(cli("proof", "dist/grid-storage.pdf", "--log-format", "json", cwd=editions).stdout)
    assert record["passed"] is True and record["embedded"] == {"files": 9, "figures_rechecked": 12}


def test_an_edition_on_its_own_is_checked_against_what_it_carries(editions: Path, tmp_path: Path, cli):
    received = tmp_path / "received"
    received.mkdir()
    shutil.copy(editions / "dist" / "grid-storage.pdf", received / "grid-storage.pdf")
    result = cli("proof", "grid-storage.pdf", cwd=received)
    assert result.code == 0, result.stderr
    assert result.stdout == ("grid-storage.pdf: proof passed: 12 figure(s) re-checked against embedded data (9 file(s)); "
                             "no manifest beside it, so its pages were not checked against a proof record\n")


def _tampered(source: Path, target: Path, name: str, old: bytes, new: bytes) -> None:
    """A copy of ``source`` in which the embedded file ``name`` has ``new`` for ``old`` (its /Params untouched)."""
    with pikepdf.open(source) as document:
        stream = document.attachments[name].get_file().obj
        data = stream.read_bytes()
        assert data.count(old) == 1
        stream.write(data.replace(old, new))
        document.save(target)


def test_proof_catches_a_number_changed_in_an_embedded_csv(editions: Path, tmp_path: Path, cli):
    received = tmp_path / "received"
    received.mkdir()
    _tampered(editions / "dist" / "grid-storage.pdf", received / "grid-storage.pdf", "data/grid-storage/capacity.csv",
              b"2026-06-01,Germany,9.01", b"2026-06-01,Germany,19.01")
    result = cli("proof", "grid-storage.pdf", cwd=received)
    assert result.code == 1
    csv, figures = "grid-storage.pdf[data/grid-storage/capacity.csv]", "grid-storage.pdf[data/grid-storage/figures.yaml]"
    assert result.stderr.splitlines() == [
        f"{csv}: the embedded file does not match its checksum: it was changed after deckgen wrote the PDF",
        f"{csv}: the embedded file is not the one the edition was built from (its sha256 differs from the one its "
        "manifest records)",
        f"{figures}:13:3: figure 'installed_total': the edition prints 34.0 GW, but the data it carries gives 44.0 GW; "
        "build it again from its data",
        f"{figures}:14:3: figure 'installed_germany': the edition prints 9.0 GW, but the data it carries gives 19.0 GW; "
        "build it again from its data",
        f"{figures}:15:3: figure 'germany_growth': the edition prints 120%, but the data it carries gives 364%; "
        "build it again from its data",
    ]
    # with the manifest beside it too: the changed PDF, and what changed in it
    shutil.copy(editions / "dist" / "grid-storage.manifest.json", received / "grid-storage.manifest.json")
    again = cli("proof", "grid-storage.pdf", cwd=received)
    assert again.code == 1
    assert again.stderr.splitlines()[0].startswith("grid-storage.pdf: the PDF is not the one its manifest describes")
    assert again.stderr.splitlines()[1:] == result.stderr.splitlines()


def test_a_cell_made_unreadable_in_the_embedded_data_is_reported_where_it_is(editions: Path, tmp_path: Path, cli):
    target = tmp_path / "grid-storage.pdf"
    _tampered(editions / "dist" / "grid-storage.pdf", target, "data/grid-storage/capacity.csv",
              b"2026-06-01,Germany,9.01", b"2026-06-01,Germany,nine")
    result = cli("proof", "grid-storage.pdf", cwd=tmp_path)
    assert result.code == 1
    line = next(i for i, text in enumerate((editions / "data/grid-storage/capacity.csv").read_text().splitlines(), 1)
                if text.startswith("2026-06-01,Germany,"))
    assert (f"grid-storage.pdf[data/grid-storage/capacity.csv]:{line}:20: column 'gw': 'nine' is not a number"
            in result.stderr), result.stderr


HOLDINGS_SPEC = """\
title: Holdings
date: 2026-07-15
brand: ../assets/brand.yml
archive: pdfa-3b
checks: {disclosures: not-research}
data:
  sources: ../data/grid-storage/sources.yaml
  figures: ../data/holdings-figures.yaml
  holdings:
    database: ../data/holdings.db
    query: select client, bond, weight_pct from holdings where client = :client
    params: {client: Acme}
    source: illustrative-projects
    as_of: 2026-07-01
    columns: {weight_pct: {type: number, unit: percent, decimals: 2}}
sections:
  - type: narrative
    title: Weights
    body: "The client holds {{ client_weight }} of the portfolio in these bonds [@illustrative-projects]."
  - type: table
    title: Holdings
    table: holdings
  - type: sources
"""


@pytest.fixture
def query_project(project: Path) -> Path:
    with sqlite3.connect(project / "data" / "holdings.db") as db:
        db.execute("create table holdings (client text, bond text, weight_pct)")
        db.executemany("insert into holdings values (?, ?, ?)",
                       [("Acme", "BR 2031", 12.5), ("Acme", "MX 2029", 7.25), ("Zeta", "CO 2033", 3.1)])
    db.close()
    (project / "data" / "holdings-figures.yaml").write_text(
        "figures:\n  client_weight: {table: holdings, column: weight_pct, agg: sum}\n", "utf-8")
    (project / "specs" / "h.yaml").write_text(HOLDINGS_SPEC, "utf-8")
    return project


def test_a_query_is_embedded_as_a_snapshot_of_its_rows_and_re_checked_from_it(query_project: Path, cli):
    assert cli("build", "specs/h.yaml", cwd=query_project).code == 0
    zeta = cli("build", "specs/h.yaml", "-o", "dist/zeta.pdf", "--set", "data.holdings.params.client=Zeta", cwd=query_project)
    assert zeta.code == 0, zeta.stderr
    attachments = _attachments(query_project / "dist" / "h.pdf")
    relationship, description, rows = attachments["snapshot/holdings.csv"]
    assert rows == b"client,bond,weight_pct\nAcme,BR 2031,12.5\nAcme,MX 2029,7.25\n"
    assert relationship == "/Data" and "2 row(s) its query returned from data/holdings.db" in description
    assert "data/holdings.db" not in attachments, "the database's rows the query read, not the database"
    assert _attachments(query_project / "dist" / "zeta.pdf")["snapshot/holdings.csv"][2] == (
        b"client,bond,weight_pct\nZeta,CO 2033,3.1\n")
    result = cli("proof", "dist/h.pdf", "dist/zeta.pdf", cwd=query_project)
    assert result.code == 0, result.stderr
    assert all(line.endswith("1 figure(s) re-checked against embedded data (6 file(s))") for line in result.stdout.splitlines())

    _tampered(query_project / "dist" / "h.pdf", query_project / "changed.pdf", "snapshot/holdings.csv", b"12.5", b"22.5")
    changed = cli("proof", "changed.pdf", cwd=query_project)
    assert changed.code == 1
    assert changed.stderr.splitlines()[-1] == (
        "changed.pdf[data/holdings-figures.yaml]:2:3: figure 'client_weight': the edition prints 19.75%, but the data it "
        "carries gives 29.75%; build it again from its data")


def test_proof_reads_a_query_s_rows_from_its_snapshot_never_from_the_database(query_project: Path, cli, monkeypatch):
    monkeypatch.setenv("HOLDINGS_URL", f"sqlite:///{query_project / 'data' / 'holdings.db'}")
    spec = query_project / "specs" / "h.yaml"
    spec.write_text(spec.read_text("utf-8").replace("database: ../data/holdings.db", "url_env: HOLDINGS_URL"), "utf-8")
    assert cli("build", "specs/h.yaml", cwd=query_project).code == 0
    _tampered(query_project / "dist" / "h.pdf", query_project / "changed.pdf", "snapshot/holdings.csv", b"12.5", b"22.5")
    changed = cli("proof", "changed.pdf", cwd=query_project)  # the database, still there, says 12.5
    assert changed.code == 1
    assert "figure 'client_weight': the edition prints 19.75%, but the data it carries gives 29.75%" in changed.stderr


def test_a_query_and_a_file_cannot_be_embedded_under_one_name(query_project: Path, cli):
    (query_project / "snapshot").mkdir()
    (query_project / "snapshot" / "holdings.csv").write_text("client,bond\nAcme,BR 2031\n", "utf-8")
    spec = query_project / "specs" / "h.yaml"
    spec.write_text(spec.read_text("utf-8").replace(
        "  holdings:\n", "  register: {path: ../snapshot/holdings.csv, source: illustrative-projects, as_of: 2026-07-01}\n"
                         "  holdings:\n"), "utf-8")
    result = cli("validate", "specs/h.yaml", cwd=query_project)
    assert result.code == 1
    assert ("specs/h.yaml:10:3: archive: pdfa-3b would embed snapshot/holdings.csv twice: it is the name of the rows of "
            "dataset 'holdings' and a file of the project; rename the dataset") in result.stderr.splitlines()


def test_a_file_outside_the_project_is_never_embedded(project: Path, tmp_path_factory, cli):
    outside = tmp_path_factory.mktemp("elsewhere")
    shutil.copy(project / "data" / "grid-storage" / "costs.csv", outside / "costs.csv")
    data = cli("validate", "specs/grid-storage.yaml", "--set", PDFA3, "--set", f"data.costs.path={outside / 'costs.csv'}",
               cwd=project)
    assert data.code == 1 and "dataset 'costs' points outside the project" in data.stderr
    # a spec outside the project (--root names it) would be embedded under an absolute path: refused
    spec = (project / "specs" / "grid-storage.yaml").read_text("utf-8")
    there = os.path.relpath(project, outside)
    spec = spec.replace("../data/", f"{there}/data/").replace("../assets/", f"{there}/assets/")
    (outside / "g.yaml").write_text(spec.replace("output: ../dist/grid-storage.pdf\n", ""), "utf-8")
    refused = cli("validate", outside / "g.yaml", "--root", project, "--set", PDFA3, cwd=project)
    assert refused.code == 1
    assert (f"<command line>: archive: pdfa-3b would embed {outside / 'g.yaml'}, which is outside the project ({project}); "
            "move it into the project, or pass --root") in refused.stderr
    assert cli("validate", outside / "g.yaml", "--root", project, cwd=project).code == 0, "pdfa-2b embeds nothing"


def test_an_edition_that_would_carry_too_much_is_refused_at_validate_and_build(project: Path, cli, monkeypatch):
    monkeypatch.setattr(evidence, "MAX_EMBEDDED_BYTES", 10_000)  # the example's 19 KB stand for 50 MB
    lines = (project / "specs" / "grid-storage.yaml").read_text("utf-8").splitlines()
    line = lines.index("  projects:") + 1  # located at the largest dataset
    # the spec, brand and data embedded: their size moves with the example's copy, its form does not
    expected = re.compile(
        rf"specs/grid-storage.yaml:{line}:3: archive: pdfa-3b would embed \d+\.\d KB of files in the PDF, more than the "
        r"10\.0 KB an edition may carry; the largest dataset 'projects' \(data/grid-storage/projects\.csv, 5\.3 KB\); "
        r"select fewer rows \(a narrower query or file\), or use archive: pdfa-2b")
    for command in ("validate", "build"):
        result = cli(command, "specs/grid-storage.yaml", "--set", PDFA3, cwd=project)
        assert result.code == 1 and any(expected.fullmatch(text) for text in result.stderr.splitlines()), result.stderr
    assert not (project / "dist" / "grid-storage.pdf").exists()


def test_the_archive_key_is_checked_where_it_is_written(project: Path, cli):
    spec = project / "specs" / "grid-storage.yaml"
    spec.write_text(spec.read_text("utf-8").replace("page_size: A4\n", "page_size: A4\narchive: PDF/A-3b\n"), "utf-8")
    result = cli("validate", "specs/grid-storage.yaml", cwd=project)
    assert result.code == 1
    assert "specs/grid-storage.yaml:13:10: archive: Input should be 'pdfa-2b' or 'pdfa-3b'" in result.stderr.splitlines()
    schema = json.loads(cli("schema", "spec").stdout)
    assert schema["properties"]["archive"]["enum"] == ["pdfa-2b", "pdfa-3b"]
