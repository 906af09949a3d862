"""Specs and data are untrusted: markup is escaped, files stay in the project, outputs never clobber inputs."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pypdf
from filelock import FileLock

from deckgen.build import lock_path
from conftest import output_line
from pdfread import fonts_of, links_of, squash, text_of


def edit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new))


def test_markup_in_spec_and_data_is_printed_not_obeyed(cli, project):
    edit(project, "specs/investor.yaml", "title: US–Japan Strategic Alignment",
         "title: 'US & Japan <b>bold</b> <a href=\"javascript:alert(1)\">click</a>'")
    edit(project, "data/us-japan/instruments.csv", "VanEck Semiconductor ETF", "VanEck <font size=40>Semis</font> & Co")
    edit(project, "data/us-japan/coverage.csv", "VanEck Semiconductor ETF", "VanEck <font size=40>Semis</font> & Co")
    edit(project, "data/us-japan/sources.yaml", "title: US-Japan Digital Trade Agreement Expansion",
         "title: 'Trade <i>&amp; more</i>'")
    result = cli("build", "specs/investor.yaml", cwd=project)
    assert result.code == 0, result.stderr
    text = squash(text_of(project / "dist" / "investor.pdf"))
    assert 'US & Japan <b>bold</b> <a href="javascript:alert(1)">click</a>' in text
    assert "VanEck <font size=40>Semis</font> & Co" in text
    assert "VanEck <font size=40>Semis</font> & Co SMH ETF Semiconductor reshoring Positive" in text  # its view, by name
    assert "Trade <i>&amp; more</i>" in text
    assert not [link for link in links_of(project / "dist" / "investor.pdf") if link.uri and "javascript" in link.uri]


def test_dollar_signs_in_chart_labels_are_text_not_math(cli, project):
    result = cli("build", "specs/grid-storage.yaml", "--set", r"sections.3.annotations.0.label=US$5bn vs $\foo$ Japan",
                 cwd=project)  # the first chart's annotation, drawn by matplotlib
    assert result.code == 0, result.stderr
    pdf = project / "dist" / "grid-storage.pdf"
    assert r"US$5bn vs $\foo$ Japan" in squash(text_of(pdf))
    assert all(font.embedded for font in fonts_of(pdf))


def test_output_may_not_overwrite_an_input(cli, project):
    before = (project / "data/us-japan/instruments.csv").read_bytes()
    result = cli("build", "specs/investor.yaml", "--set", "output=../data/us-japan/instruments.csv", cwd=project)
    assert result.code == 1
    assert "<command line>: output would overwrite an input file: data/us-japan/instruments.csv" in result.stderr
    assert (project / "data/us-japan/instruments.csv").read_bytes() == before


def test_spec_output_stays_in_the_project_but_o_may_go_anywhere(cli, project, tmp_path_factory):
    edit(project, "specs/investor.yaml", "output: ../dist/investor.pdf", "output: ../../investor.pdf")
    result = cli("validate", "specs/investor.yaml", cwd=project)
    assert result.code == 1
    assert f"specs/investor.yaml:{output_line(project / 'specs/investor.yaml')}:9: output points outside the project ({project}); write inside it or pass -o" in result.stderr
    elsewhere = tmp_path_factory.mktemp("out") / "brief.pdf"
    assert cli("build", "specs/investor.yaml", "-o", str(elsewhere), cwd=project).code == 0
    assert elsewhere.read_bytes().startswith(b"%PDF")


def test_brand_fonts_and_logo_stay_in_the_project_and_are_checked(cli, project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("fonts") / "Evil.ttf"
    outside.write_bytes((project / "assets/fonts/Lato-Regular.ttf").read_bytes())
    edit(project, "assets/brand.yml", "{path: fonts/Lato-Bold.ttf, weight: 700, style: normal}",
         f"{{path: {outside}, weight: 700, style: normal}}")
    (project / "assets/logo.svg").write_text("not an image")
    result = cli("validate", "specs/investor.yaml", cwd=project)
    assert result.code == 1
    assert "assets/brand.yml:9:11: logo file logo.svg is not SVG, PNG or JPEG; convert it to one of those" in result.stderr
    assert f"font file points outside the project ({project}): Evil.ttf" in result.stderr


def test_figure_names_are_plain_and_part_ids_unique(cli, project):
    edit(project, "data/us-japan/figures.yaml", "figures:\n", "figures:\n  old.rate: {value: 1, unit: count, as_of: 2026-02-01, source: ustr-dta}\n")
    edit(project, "data/us-japan/figures.yaml", "{id: pharma,", "{id: semiconductors,")
    result = cli("validate", "specs/investor.yaml", cwd=project)
    assert result.code == 1
    assert "figure name 'old.rate' must start with a letter or _ and use only letters, digits, _ and -" in result.stderr
    edit(project, "data/us-japan/figures.yaml", "  old.rate: {value: 1, unit: count, as_of: 2026-02-01, source: ustr-dta}\n", "")
    result = cli("validate", "specs/investor.yaml", cwd=project)
    assert "data/us-japan/figures.yaml:43:14: breakdown 'framework_by_sector' has two parts with id 'semiconductors'" in result.stderr


def test_allow_stale_wins_over_strict(cli, project):
    result = cli("build", "specs/investor.yaml", "--set", "date=2026-07-01", "--allow-stale", "--strict", cwd=project)
    assert result.code == 0, result.stderr
    assert "warning: figure 'jsif_commitment' is stale" in result.stderr


def test_validate_reports_the_most_relevant_exit_code(cli, project):
    (project / "specs" / "broken.yaml").write_text("title: [\n")
    stale = (project / "specs" / "investor.yaml").read_text().replace("date: 2026-02-16", "date: 2026-09-01")
    (project / "specs" / "stale.yaml").write_text(stale)
    result = cli("validate", "specs/stale.yaml", "specs/broken.yaml", cwd=project)
    assert result.code == 1  # a broken spec needs a person more than stale data does


def test_specs_that_share_an_output_are_refused(cli, project):
    (project / "specs" / "copy.yaml").write_text((project / "specs" / "investor.yaml").read_text())
    result = cli("build", "specs/investor.yaml", "specs/copy.yaml", cwd=project)
    assert result.code == 1
    assert f"specs/copy.yaml:{output_line(project / 'specs/copy.yaml')}:9: writes the same PDF as specs/investor.yaml (dist/investor.pdf); give each spec its own output" in result.stderr
    assert not (project / "dist" / "investor.pdf").exists()


def test_misnested_emphasis_still_builds(cli, project):
    result = cli("build", "specs/investor.yaml", "--set", "sections.3.body=*a **b* c** [1]", cwd=project)
    assert result.code == 0, result.stderr
    assert "a b c [1]" in squash(text_of(project / "dist" / "investor.pdf")).replace("*", "")


def test_a_run_that_waited_for_the_lock_builds_the_data_as_it_is_now(project):
    spec = project / "specs" / "investor.yaml"
    lock = FileLock(lock_path(project / "dist" / "investor.pdf"))
    lock_path(project / "dist" / "investor.pdf").parent.mkdir(parents=True)
    with lock:
        waiting = subprocess.Popen(
            [sys.executable, "-m", "deckgen", "build", str(spec), "--wait", "60"],
            cwd=project, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        time.sleep(3)  # the run has checked the old data and is waiting for the lock
        edit(project, "data/us-japan/figures.yaml", "usdjpy: {value: 152,", "usdjpy: {value: 149,")
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    manifest = json.loads((project / "dist" / "investor.manifest.json").read_text())
    assert next(f["value"] for f in manifest["figures"] if f["name"] == "usdjpy") == "USD/JPY\u00a0149"
    assert "USD/JPY 149" in squash(text_of(project / "dist" / "investor.pdf"))  # squash reads the no-break space as a space
