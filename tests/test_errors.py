"""Bad input gets one located line per problem, exit 1, no traceback, and nothing in dist/."""

from __future__ import annotations

from pathlib import Path

import pytest

MINIMAL = """\
title: Test brief
date: 2026-02-16
brand: ../assets/brand.yml
data:
  figures: ../data/us-japan/figures.yaml
  sources: ../data/us-japan/sources.yaml
sections:
  - type: narrative
    title: One
    body: The JSIF commits {{ jsif_commitment }} [@commerce-jsif].
  - type: sources
"""


def write(project: Path, text: str, name: str = "t.yaml") -> Path:
    path = project / "specs" / name
    path.write_text(text, encoding="utf-8")
    return path


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": warning: " not in line and not line.endswith("nothing was written")
            and "spec(s) checked" not in line]


def check_fails(cli, project, text, expected: list[str], command: str = "build") -> None:
    spec = write(project, text)
    result = cli(command, spec, cwd=project)
    assert result.code == 1, result.stderr
    assert errors(result.stderr) == expected
    assert "Traceback" not in result.stderr
    written = [p for p in (project / "dist").rglob("*") if p.is_file() and p.suffix != ".lock"] if (project / "dist").exists() else []
    assert written == []


def test_minimal_spec_builds(cli, project):
    result = cli("build", write(project, MINIMAL), cwd=project)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "dist/t.pdf"
    assert (project / "dist" / "t.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("text, expected", [
    ("", ["specs/t.yaml:1:1: file is empty; expected a mapping of keys to values"]),
    ("# only a comment\n", ["specs/t.yaml:1:1: file is empty; expected a mapping of keys to values"]),
    ("- a\n- b\n", ["specs/t.yaml:1:1: expected a mapping of keys to values at the top level, found a list"]),
    ("title: x\n  bad: [\n", ["specs/t.yaml:2:6: YAML syntax error: mapping values are not allowed here"]),
    ("title: 'open\n", ["specs/t.yaml:2:1: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar)"]),
    ("a: 1\n---\nb: 2\n", ["specs/t.yaml:2:1: YAML syntax error: expected a single document in the stream, but found another document"]),
])
def test_unreadable_specs(cli, project, text, expected):
    check_fails(cli, project, text, expected)


def test_alias_bomb_is_refused_quickly(cli, project):
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for this, previous in zip("bcdefgh", "abcdefg"):
        rows.append(f"{this}: &{this} [" + ",".join([f"*{previous}"] * 9) + "]")
    check_fails(cli, project, "\n".join(rows) + "\n", ["specs/t.yaml:1:38: document expands to more than 100000 values (an alias bomb?)"])


def test_recursive_alias(cli, project):
    check_fails(cli, project, "a: &a [1, *a]\n", ["specs/t.yaml:1:4: recursive alias: a value contains itself"])


def test_unknown_keys_and_types_are_all_reported(cli, project):
    text = MINIMAL.replace("title: Test brief", "titel: Test brief").replace("type: narrative", "type: narative")
    text = text.replace("date: 2026-02-16", "date: 2026-02-30\npage_size: A5")
    check_fails(cli, project, text, [
        "specs/t.yaml:1:1: missing required key 'title'",
        "specs/t.yaml:1:1: unknown key 'titel'; did you mean 'title'?",
        "specs/t.yaml:2:7: date: Input should be a valid date or datetime, day value is outside expected range",
        "specs/t.yaml:3:12: page_size: Input should be 'A4' or 'Letter'",
        "specs/t.yaml:9:11: unknown section type 'narative'; did you mean 'narrative'?",
    ])


def test_unknown_key_inside_a_section_suggests_the_right_one(cli, project):
    text = MINIMAL + "  - type: quote\n    text: Hello\n    autor: Someone\n"
    check_fails(cli, project, text, [
        "specs/t.yaml:12:5: missing required key 'author' in sections.2",
        "specs/t.yaml:14:5: unknown key 'autor'; did you mean 'author'?",
    ])


def test_duplicate_keys(cli, project):
    check_fails(cli, project, MINIMAL.replace("title: Test brief\n", "title: Test brief\ntitle: Again\n"),
                ["specs/t.yaml:2:1: duplicate key 'title' (first defined on line 1)"])


def test_unknown_references_with_suggestions(cli, project):
    text = MINIMAL.replace("{{ jsif_commitment }} [@commerce-jsif]", "{{ jsif_comitment }} [@comerce-jsif] [13]")
    text += "  - type: sector_breakdown\n    title: Split\n    breakdown: framework_by_sectr\n"
    check_fails(cli, project, text, [
        "specs/t.yaml:10:28: unknown figure 'jsif_comitment'; did you mean 'jsif_commitment'?",
        "specs/t.yaml:10:49: unknown source 'comerce-jsif'; did you mean 'commerce-jsif'?",
        "specs/t.yaml:10:65: citation [13] has no source (there are 12)",
        "specs/t.yaml:14:16: unknown breakdown 'framework_by_sectr'; did you mean 'framework_by_sector'?",
    ])


def test_a_dataset_outside_the_project_is_refused(cli, project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "figures.yaml"
    outside.write_text("figures: {}\n")
    text = MINIMAL.replace("../data/us-japan/figures.yaml", str(outside))
    spec = write(project, text)
    result = cli("validate", spec, cwd=project)
    assert result.code == 1
    assert f"specs/t.yaml:5:12: dataset 'figures' points outside the project ({project})" in result.stderr


def test_missing_data_file(cli, project):
    check_fails(cli, project, MINIMAL.replace("us-japan/figures.yaml", "us-japan/figurez.yaml"),
                ["specs/t.yaml:5:12: dataset 'figures': file not found: ../data/us-japan/figurez.yaml"])


def test_debug_shows_the_traceback(cli, project):
    result = cli("build", write(project, "- a\n"), "--debug", cwd=project)
    assert result.code == 1
    assert "Traceback" in result.stderr


def test_usage_errors_exit_2(cli, project):
    assert cli("build", cwd=project).code == 2
    assert cli("build", "--frobnicate", "specs/investor.yaml", cwd=project).code == 2


def test_missing_spec_file(cli, project):
    result = cli("validate", "specs/nope.yaml", cwd=project)
    assert result.code == 1
    assert "specs/nope.yaml: file not found" in result.stderr


def test_failed_build_leaves_no_partial_files(cli, project):
    write(project, MINIMAL)
    assert cli("build", "specs/t.yaml", cwd=project).code == 0
    good = (project / "dist" / "t.pdf").read_bytes()
    write(project, MINIMAL.replace("{{ jsif_commitment }}", "{{ nope }}"))
    assert cli("build", "specs/t.yaml", cwd=project).code == 1
    assert (project / "dist" / "t.pdf").read_bytes() == good
    left = sorted(p.name for p in (project / "dist").iterdir() if p.name != ".deckgen")  # .deckgen holds the lock
    assert left == ["t.manifest.json", "t.pdf"]


@pytest.mark.parametrize("language", ["'[1]'", "english", "en_US", "e", "en-"])
def test_a_language_that_is_not_a_bcp47_tag_is_refused_at_validate(cli, project, language):
    """The spec's language is the PDF's /Lang (PDF/UA-1 needs a valid tag): caught where it is written."""
    shown = language.strip("'")
    check_fails(cli, project, MINIMAL.replace("brand:", f"language: {language}\nbrand:"),
                [f"specs/t.yaml:3:11: language: '{shown}' is not a language tag; write one like 'en-US', 'en-GB', 'de' "
                 "or 'pt-BR' (BCP 47: a language, then an optional script and region)"], command="validate")


@pytest.mark.parametrize("language", ["de", "en-GB", "zh-Hant-TW", "es-419", "sl-rozaj"])
def test_language_tags_of_every_shape_are_accepted(cli, project, language):
    result = cli("validate", write(project, MINIMAL.replace("brand:", f"language: {language}\nbrand:")), cwd=project)
    assert result.code == 0, result.stderr
