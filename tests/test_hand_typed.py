"""A figure's printed value typed in prose instead of {{ name }} would not follow the data: it is a
warning at the exact place it is typed, and an error under --strict, at validate and build alike."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from handtyped_project import SPEC, TRAP_LINE, problem_lines, referring_to, write_project

TYPED_CAPACITY = f"""\
  - type: narrative
    title: Capacity
    body: Installed storage reached 34.0 GW in June [@desk].
"""
WARNING = (f"specs/t.yaml:{TRAP_LINE + 2}:37: warning: '34.0 GW' is figure 'installed_total' typed by hand; "
           "write {{ installed_total }} so it follows the data")


@pytest.mark.parametrize("spec", ["investor.yaml", "grid-storage.yaml"])
def test_the_example_briefs_type_no_figure_by_hand(project: Path, cli, spec: str):
    result = cli("validate", "--strict", f"specs/{spec}", cwd=project)
    assert result.code == 0, result.stderr
    assert problem_lines(result.stderr) == []


def test_the_brief_that_names_every_figure_is_clean(project: Path, cli):
    write_project(project)
    result = cli("validate", "--strict", "specs/t.yaml", cwd=project)
    assert (result.code, problem_lines(result.stderr)) == (0, [])


def test_a_typed_figure_is_a_warning_at_validate_and_an_error_under_strict(project: Path, cli):
    write_project(project, TYPED_CAPACITY)
    result = cli("validate", "specs/t.yaml", cwd=project)
    assert (result.code, problem_lines(result.stderr)) == (0, [WARNING])
    strict = cli("validate", "--strict", "specs/t.yaml", cwd=project)
    assert (strict.code, problem_lines(strict.stderr)) == (1, [WARNING.replace("warning: ", "")])


def test_build_warns_the_same_and_refuses_under_strict(project: Path, cli):
    write_project(project, TYPED_CAPACITY)
    strict = cli("build", "--strict", "specs/t.yaml", cwd=project)
    assert strict.code == 1
    assert WARNING.replace("warning: ", "") in strict.stderr.splitlines()
    assert not (project / "dist" / "t.pdf").exists()
    result = cli("build", "specs/t.yaml", cwd=project)
    assert result.code == 0, result.stderr
    assert WARNING in result.stderr.splitlines()
    assert (project / "dist" / "t.pdf").is_file()


def test_the_spec_can_make_the_check_strict(project: Path, cli):
    write_project(project, TYPED_CAPACITY, spec=SPEC.replace("checks: {disclosures: not-research}",
                                                            "checks: {disclosures: not-research, strict: true}"))
    result = cli("validate", "specs/t.yaml", cwd=project)
    assert (result.code, problem_lines(result.stderr)) == (1, [WARNING.replace("warning: ", "")])


def test_the_json_log_names_the_check(project: Path, cli):
    import json

    write_project(project, TYPED_CAPACITY)
    result = cli("validate", "--log-format", "json", "specs/t.yaml", cwd=project)
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    typed = [r for r in records if r.get("code") == "hand-typed"]
    assert typed == [{"file": "specs/t.yaml", "line": TRAP_LINE + 2, "column": 37, "severity": "warning",
                      "code": "hand-typed", "message": "'34.0 GW' is figure 'installed_total' typed by hand",
                      "hint": "write {{ installed_total }} so it follows the data"}]


def test_the_place_is_the_typed_one_not_an_earlier_longer_number(project: Path, cli):
    write_project(project, """\
  - type: narrative
    title: Capacity
    body: Not 134.0 GW but 34.0 GW [@desk].
""")
    result = cli("validate", "specs/t.yaml", cwd=project)
    assert problem_lines(result.stderr) == [
        f"specs/t.yaml:{TRAP_LINE + 2}:28: warning: '34.0 GW' is figure 'installed_total' typed by hand; "
        "write {{ installed_total }} so it follows the data"]


def test_a_no_break_space_and_a_line_break_count_as_spaces(project: Path, cli):
    write_project(project, """\
  - type: narrative
    title: Capacity
    body: >
      Installed storage reached 34.0\u00a0GW in June [@desk], and a second
      time 34.0
      GW.
""")
    result = cli("validate", "specs/t.yaml", cwd=project)
    hint = "write {{ installed_total }} so it follows the data"
    assert problem_lines(result.stderr) == [
        f"specs/t.yaml:{TRAP_LINE + 3}:33: warning: '34.0\u00a0GW' is figure 'installed_total' typed by hand; {hint}",
        f"specs/t.yaml:{TRAP_LINE + 4}:12: warning: '34.0 GW' is figure 'installed_total' typed by hand; {hint}",
    ]


def test_the_long_style_is_named_in_the_hint(project: Path, cli):
    write_project(project, """\
  - type: narrative
    title: Deals
    body: The deal was worth $52 billion [@desk].
""")
    result = cli("validate", "specs/t.yaml", cwd=project)
    assert problem_lines(result.stderr) == [
        f"specs/t.yaml:{TRAP_LINE + 2}:30: warning: '$52 billion' is figure 'deal_size' typed by hand; "
        "write {{ deal_size | long }} so it follows the data"]


def test_numbers_are_read_in_the_spec_locale(project: Path, cli):
    german = SPEC.replace("date: 2026-07-15\n", "date: 2026-07-15\nlocale: de_DE\nlanguage: de-DE\n")
    added = german.count("\n") - SPEC.count("\n")  # lines the German header adds before the section
    write_project(project, """\
  - type: narrative
    title: Kapazität
    body: Nicht 34.0 GW, sondern 34,0 GW [@desk].
""", spec=german)
    result = cli("validate", "specs/t.yaml", cwd=project)
    assert problem_lines(result.stderr) == [
        f"specs/t.yaml:{TRAP_LINE + added + 2}:34: warning: '34,0 GW' is figure 'installed_total' typed by hand; "
        "write {{ installed_total }} so it follows the data"]


def test_keys_that_are_not_prose_are_not_read(project: Path, cli):
    """A table column 25% wide is not the figure 'growth' typed by hand, nor is a chart 34.0 GW high."""
    spec = SPEC.replace("data:\n", "data:\n  cap:\n    path: ../data/t/cap.csv\n    source: desk\n    as_of: 2026-06-30\n")
    spec = referring_to("cap", spec)
    write_project(project, """\
  - type: table
    id: cap
    title: Capacity
    table: cap
    columns:
      - {key: site, label: Site, width: 35%}
      - {key: gw, label: GW}
""", spec=spec)
    (project / "data" / "t" / "cap.csv").write_text("site,gw\nA,1.5\nB,2.5\n")
    result = cli("validate", "--strict", "specs/t.yaml", cwd=project)
    assert (result.code, problem_lines(result.stderr)) == (0, [])


def test_validate_reads_no_chart_or_pdf_library(project: Path):
    write_project(project, TYPED_CAPACITY)
    script = ("import sys\nfrom deckgen.cli import main\nsys.argv = ['deckgen', 'validate', 'specs/t.yaml']\n"
              "try:\n    main()\nexcept SystemExit:\n    pass\n"
              "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'reportlab'}))")
    done = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr
    assert "typed by hand" in done.stderr


def test_hundreds_of_figures_and_long_prose_are_read_quickly():
    from deckgen.handtyped import PrintedForms

    forms = []
    for index in range(1000):
        forms += [(f"f{index}", "compact", f"${index}.{index % 10}B"), (f"f{index}", "long", f"${index}.{index % 10} billion"),
                  (f"f{index}", "precise", f"{index * 7:,}.5 MW")]
    started = time.perf_counter()
    printed = PrintedForms(forms)
    paragraph = "In 2026 the market grew 12.5% to $1,204.3B, {{ f1 }} of it new [@desk]; 35 sites, 7.5 MW each. " * 20
    found = [typed for _ in range(500) for typed in printed.find(paragraph)]
    elapsed = time.perf_counter() - started
    assert len(printed) == 3000
    assert [t.typed for t in found[:1]] == ["7.5 MW"] and len(found) == 20 * 500
    assert elapsed < 2.0, f"{elapsed:.2f}s for 3,000 printed forms over 1 MB of prose"
