"""The proof of an edition: run on what was laid out, recorded in the manifest, re-run by
``deckgen proof`` on a PDF already written, and applied per recipient by ``send``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from test_traps_proof import HEAD, SOURCES

SPEC = "specs/investor.yaml"
# a KPI value too wide for its tile even at the smallest size the strip's values shrink to: split across lines
WIDE = ("--set", "figures.usdjpy=123456789012.5")
SPLIT = "'USD/JPY 123,456,789,012.5' is split across lines"


def _page_text(pdf: Path, page: int) -> str:
    from pypdf import PdfReader

    return PdfReader(pdf).pages[page - 1].extract_text()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_manifest_records_the_proof_of_the_edition(project: Path, cli):
    assert cli("build", "specs/grid-storage.yaml", cwd=project).code == 0
    proof = json.loads((project / "dist" / "grid-storage.manifest.json").read_text())["proof"]
    assert proof["status"] == "passed" and proof["problems"] == []
    assert proof["checks"] == ["template-text", "printed-text", "broken-word", "split-value", "overflow", "missing-glyph",
                               "empty-exhibit", "chart-label"]
    assert proof["pages"] == 5
    assert [(e["number"], e["kind"]) for e in proof["exhibits"]] == [(n, "chart") for n in range(1, 8)] + [(8, "table")]
    assert proof["tables"] == [{"exhibit": 8, "title": "The project register", "page": proof["tables"][0]["page"], "rows": 60}]
    assert {"name": "installed_total", "printed": "34.0 GW", "pages": [1]} in proof["figures"]
    [cost] = [figure for figure in proof["figures"] if figure["name"] == "cost_high_max"]
    assert cost["printed"] == "€290/kWh" and len(cost["pages"]) == 1 and 1 < cost["pages"][0] <= proof["pages"]
    assert "€290/kWh" in _page_text(project / "dist" / "grid-storage.pdf", cost["pages"][0])


def test_a_failed_proof_keeps_the_last_good_pdf_and_manifest(project: Path, cli):
    assert cli("build", SPEC, cwd=project).code == 0  # the tile fits its value
    pdf, manifest = project / "dist" / "investor.pdf", project / "dist" / "investor.manifest.json"
    before = (_sha(pdf), manifest.read_bytes())
    result = cli("build", SPEC, *WIDE, cwd=project)  # a value the tile splits
    assert result.code == 1 and SPLIT in result.stderr and result.stderr.endswith("1 error(s); nothing was written\n")
    assert (_sha(pdf), manifest.read_bytes()) == before


def test_checks_proof_warn_builds_with_warnings_and_strict_refuses_it(project: Path, cli):
    result = cli("build", SPEC, *WIDE, "--set", "checks.proof=warn", cwd=project)
    assert result.code == 0, result.stderr
    split = [line for line in result.stderr.splitlines() if "is split across lines" in line]
    assert len(split) == 1 and ": warning: " + SPLIT in split[0]
    proof = json.loads((project / "dist" / "investor.manifest.json").read_text())["proof"]
    assert proof["status"] == "warnings" and len(proof["problems"]) == 1
    strict = cli("build", SPEC, *WIDE, "--set", "checks.proof=warn", "--strict", "-o", "dist/strict.pdf", cwd=project)
    assert strict.code == 1 and not (project / "dist" / "strict.pdf").exists()


def test_proof_checks_an_edition_already_written(project: Path, cli):
    assert cli("build", SPEC, cwd=project).code == 0
    result = cli("proof", "dist/investor.pdf", cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("dist/investor.pdf: proof passed: 8 page(s), 6 exhibit(s) (4 table(s), 19 row(s)), ")
    as_json = cli("proof", "dist/investor.pdf", "--log-format", "json", cwd=project)
    record = json.loads(as_json.stdout)
    assert record["passed"] is True and record["proof"]["pages"] == 8


def test_proof_refuses_a_changed_pdf_a_changed_manifest_and_a_pdf_without_one(project: Path, cli):
    assert cli("build", SPEC, cwd=project).code == 0
    pdf, manifest = project / "dist" / "investor.pdf", project / "dist" / "investor.manifest.json"
    recorded = json.loads(manifest.read_text())
    # the manifest claims a figure the page does not show
    changed = json.loads(manifest.read_text())
    figure = next(f for f in changed["proof"]["figures"] if f["name"] == "usdjpy")
    figure["printed"] = "USD/JPY\u00a0153"
    manifest.write_text(json.dumps(changed))
    result = cli("proof", "dist/investor.pdf", cwd=project)
    assert result.code == 1
    assert result.stderr == "".join(f"dist/investor.pdf: figure 'usdjpy' (USD/JPY 153) is not on page {page}, where its proof found it\n"
                                    for page in figure["pages"])
    # the PDF is not the one the manifest describes
    manifest.write_text(json.dumps(recorded))
    pdf.write_bytes(pdf.read_bytes().replace(b"/Title", b"/Titl\x65", 1) + b"\n% appended\n")
    result = cli("proof", "dist/investor.pdf", cwd=project)
    assert result.code == 1
    assert result.stderr == ("dist/investor.pdf: the PDF is not the one its manifest describes (its sha256 differs): "
                             "it was changed after deckgen wrote it; build it again\n")
    manifest.unlink()
    result = cli("proof", "dist/investor.pdf", cwd=project)
    assert result.code == 1
    assert result.stderr == ("dist/investor.pdf: no deckgen manifest beside it (dist/investor.manifest.json); proof checks an "
                             "edition with the manifest deckgen wrote for it; build it again\n")


def test_a_dry_run_does_not_write_a_message_that_prints_template_text(project: Path, cli):
    (project / "desk.csv").write_text("email,name\nann@example.com,Ann Lee\nbob@example.com,Bob {{ usdjpy }}\n", "utf-8")
    result = cli("send", SPEC, "--dry-run", "--recipients", "desk.csv", cwd=project)
    assert result.code == 4, result.stderr
    assert (project / "dist" / "outbox" / "ann@example.com.eml").exists()
    assert not (project / "dist" / "outbox" / "bob@example.com.eml").exists()
    assert ("desk.csv:3:1: the email to bob@example.com: its body prints template text '{{ usdjpy }}'; check the recipient's "
            "name and the delivery section's subject and body") in result.stdout + result.stderr


def test_send_holds_back_the_edition_whose_proof_fails_and_sends_the_others(project: Path, cli, smtp):
    (project / "desk.csv").write_text(
        "email,name,figures.usdjpy\nann@example.com,Ann Lee,\nbob@example.com,Bob Ray,123456789012.5\n"
        "cy@example.com,Cy Ito,150\n", "utf-8")
    result = cli("send", SPEC, "--recipients", "desk.csv", cwd=project)
    assert result.code == 4
    assert sorted(address for received in smtp.received for address in received.rcpt_tos) == ["ann@example.com", "cy@example.com"]
    reported = result.stdout + result.stderr
    assert "bob@example.com" in reported
    spec_lines = (project / SPEC).read_text("utf-8").splitlines()
    tile = next(number for number, line in enumerate(spec_lines, 1) if "{figure: usdjpy" in line)
    # the key figures stand in page 1's rail, one under the other: the value breaks at the rail's width
    assert (f"specs/investor.yaml:{tile}:18: 'USD/JPY 123,456,789,012.5' is split across lines as 'USD/JPY 123,456,' | '789,012.5' in the "
            "value of the KPI tile 'Yen per US dollar (illustrative)'") in reported


@pytest.mark.parametrize("lines, text, found", [
    (["Germ", "any"], "Germany", [(4, "inside")]),
    (["the sixth-", "generation chips"], "the sixth-generation chips", [(10, "after-hyphen")]),
    (["a commit-", "ment here"], "a commitment here", [(8, "hyphenated")]),
    (["128\u00a0bp", "wider"], "128 bp wider", [(7, "space")]),
    (["リン酸鉄リチウムは", "四半期"], "リン酸鉄リチウムは四半期", [(9, "between-ideographs")]),
    (["Germ", "anyway"], "Germany", None),  # the lines do not spell the text
])
def test_line_breaks_are_read_against_the_text_they_were_made_from(lines, text, found):
    from deckgen.proof.lines import breaks

    result = breaks(lines, text)
    assert (None if result is None else [(b.at, b.how) for b in result]) == found


def test_validate_proof_runs_the_builds_proof_and_writes_nothing(project: Path, cli):
    assert cli("validate", SPEC, *WIDE, cwd=project).code == 0  # the inputs are valid
    result = cli("validate", SPEC, *WIDE, "--proof", cwd=project)
    assert not (project / "dist").exists()
    built = cli("build", SPEC, *WIDE, cwd=project)
    assert result.code == built.code == 1
    split = [line for line in result.stderr.splitlines() if "is split across lines" in line]
    assert len(split) == 1 and SPLIT in split[0]
    assert split == [line for line in built.stderr.splitlines() if "is split across lines" in line]
    assert cli("validate", SPEC, "--proof", "--strict", cwd=project).code == 0


TRAPS_FOUND_IN_REVIEW = {
    "citations in another order than their numbers": (
        "  - type: narrative\n    title: Order\n    body: Growth came from both [@illustrative-additions; @illustrative-capacity].\n",
        "Growth came from both [1, 2]."),
}


def test_text_the_brands_fonts_cannot_draw_is_refused_not_printed_as_empty_boxes(project: Path, cli):
    (project / "specs" / "t.yaml").write_text(
        HEAD + "  - type: narrative\n    title: Storage\n    body: リン酸鉄リチウム leads the quarter [@illustrative-additions].\n"
        + SOURCES, "utf-8")
    result = cli("build", "specs/t.yaml", cwd=project)
    assert result.code == 1
    line = HEAD.count("\n") + 3
    assert (f"specs/t.yaml:{line}:11: the text has characters its fonts cannot draw: 'リ' (U+30EA), 'ン' (U+30F3), "
            "'酸' (U+9178), '鉄' (U+9244), 'チ' (U+30C1), 'ウ' (U+30A6) and 1 more; they would print as empty boxes; use a brand font "
            "that has them (brand.yml typography: fonts), or write the text without them") in result.stderr.splitlines()


@pytest.mark.parametrize("trap", sorted(TRAPS_FOUND_IN_REVIEW))
def test_a_correct_brief_is_not_refused_by_the_proof(project: Path, cli, trap: str):
    from pdfread import squash, text_of

    sections, shown = TRAPS_FOUND_IN_REVIEW[trap]
    (project / "specs" / "t.yaml").write_text(HEAD + sections + SOURCES, "utf-8")
    result = cli("build", "specs/t.yaml", "--strict", "--set", "checks.disclosures=not-research", cwd=project)
    errors = [line for line in result.stderr.splitlines() if "warning" not in line and "never cited" not in line]
    assert result.code in (0, 1) and not any("broken across" in line or "prints '" in line for line in errors), errors
    result = cli("build", "specs/t.yaml", cwd=project)
    assert result.code == 0, result.stderr
    assert shown is None or shown in squash(text_of(project / "dist" / "t.pdf"))


def test_template_braces_in_a_table_cell_are_refused_where_they_are(project: Path, cli):
    path = project / "data" / "grid-storage" / "projects.csv"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("Fjord Capital", "Fjord }} Capital")
    path.write_text("".join(lines), "utf-8")
    result = cli("validate", "specs/grid-storage.yaml", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == (
        "data/grid-storage/projects.csv:2:39: unmatched '}}': a figure reference looks like {{ name }}")


def test_an_edition_built_with_its_proof_downgraded_is_proofread_again_under_strict(project: Path, cli):
    wide = ("--set", "figures.usdjpy=123456789012.5", "--set", "checks.proof=warn")  # a KPI value its tile splits
    assert cli("build", SPEC, *wide, cwd=project).code == 0
    again = cli("build", SPEC, *wide, "--if-changed", cwd=project)
    assert again.code == 0 and again.stdout == "dist/investor.pdf unchanged\n"
    strict = cli("build", SPEC, *wide, "--if-changed", "--strict", cwd=project)
    assert strict.code == 1 and "is split across lines" in strict.stderr
    assert strict.stderr.endswith("1 error(s); nothing was written\n")


def test_a_chart_label_its_font_cannot_draw_is_refused_by_the_proof_and_validate_proof(project: Path, cli):
    """Found by the property test: an emoji in a sector label drew as .notdef in the chart (no Unicode
    mapping, so PDF/UA-1 fails). The proof refuses it, located at the exhibit, as validate --proof does."""
    figures = project / "data/us-japan/figures.yaml"
    figures.write_text(figures.read_text("utf-8").replace("label: Semiconductors & advanced manufacturing,",
                                                          'label: "Semis \U0001F600\u200d\U0001F469",'), "utf-8")
    spec_lines = (project / SPEC).read_text("utf-8").splitlines()
    breakdown = next(n for n, line in enumerate(spec_lines, 1) if "breakdown: framework_by_sector" in line)
    section = max(n for n, line in enumerate(spec_lines[:breakdown], 1) if line.startswith("  - type: "))  # its type: line
    expected = (f"specs/investor.yaml:{section}:11: Exhibit 3's category has characters its font cannot draw: "
                "'\U0001F600' (U+1F600), '\U0001F469' (U+1F469); they would print as empty boxes; use a brand font "
                "that has them (brand.yml typography: fonts), or write the text without them")
    built = cli("build", SPEC, cwd=project)
    assert built.code == 1 and expected in built.stderr, built.stderr
    assert not (project / "dist" / "investor.pdf").exists()
    checked = cli("validate", "--proof", SPEC, cwd=project)
    assert checked.code == 1 and expected in checked.stderr, checked.stderr
