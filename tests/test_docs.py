"""The documentation stays true: every YAML example in docs/ and the README validates, the section
examples build, every section type and chart kind has its page and picture, the generated reference
pages cover the app and the models, and the version, pyproject.toml and CHANGELOG.md agree."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import docs_examples
from conftest import REPO, copy_project
from pdfread import squash, text_of

EXAMPLES = [example for example in docs_examples.examples() if not example.not_a_spec and example.kind != "comment"]


@pytest.fixture(scope="module")
def docs_project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("docs"))
    docs_examples.documented_files(project)
    return project


def _problems_on_the_page(error, example, made) -> list[str]:
    """Each problem, and where the page has the line it points at when the example was copied in whole."""
    lines = []
    for problem in error.problems:
        if not problem.is_error:
            continue
        docs_line = made.docs_line(example, problem.line) if Path(problem.file).name == made.spec.name else None
        lines.append(problem.render() + (f"  (that is {example.page}:{docs_line})" if docs_line else ""))
    return lines


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.where for example in EXAMPLES])
def test_every_yaml_example_in_the_docs_validates(example, docs_project, monkeypatch):
    from deckgen.build import validate
    from deckgen.errors import SpecError

    monkeypatch.chdir(docs_project)
    made = docs_examples.make_spec(example, docs_project, "example-" + re.sub(r"\W+", "-", example.where))
    try:
        validate(made.spec)
    except SpecError as error:
        pytest.fail(f"{example.where}: the documented {example.kind} example does not validate:\n"
                    + "\n".join(_problems_on_the_page(error, example, made)), pytrace=False)


def test_blocks_that_are_not_specs_say_why():
    skipped = [example for example in docs_examples.examples() if example.not_a_spec]
    assert skipped and all(len(example.not_a_spec.split()) >= 3 for example in skipped), skipped
    # an example that says it is not a spec but is one (the marker outlived its reason) is tested instead
    for example in skipped:
        assert example.kind not in ("spec",), f"{example.where} is a whole spec: remove its not-a-spec marker"


def test_the_section_examples_build_together(docs_project, monkeypatch):
    """Every sections example of the docs, one after another in one brief, builds; each titled section prints its title."""
    from deckgen.build import build

    monkeypatch.chdir(docs_project)
    sections = [example for example in EXAMPLES if example.kind in ("sections", "section")]
    seen_types, body, items = set(), "", []
    for example in sections:
        data = example.data if example.kind == "sections" else [example.data]
        if {item["type"] for item in data} & {"disclosures", "sources"} & seen_types:
            continue  # one list of sources and one disclosures section a brief
        seen_types |= {item["type"] for item in data}
        body += docs_examples._as_section_items(example.text, single=example.kind == "section")
        items += data
    spec = docs_project / "specs" / "all-sections.yaml"
    spec.write_text(docs_examples.BASE + body + docs_examples._trailing(items), "utf-8")
    result = build(spec)
    assert result.outcome == "built"
    text = squash(text_of(result.output))
    titles = [item["title"] for item in items if isinstance(item.get("title"), str) and "{{" not in item["title"]]
    assert len(titles) > 20
    missing = [title for title in titles if squash(title) not in text]
    assert not missing, missing


def _nav() -> str:
    return (REPO / "mkdocs.yml").read_text("utf-8")


@pytest.mark.parametrize("group", ["sections", "charts"])
def test_each_section_type_and_chart_kind_has_a_page_with_its_picture(group):
    from deckgen.charts.kinds import KINDS
    from deckgen.sections import SECTION_TYPES

    make_pictures = _module(REPO / "docs" / "make_pictures.py")
    drawn = {picture.image.relative_to(REPO / "docs").as_posix() for picture in make_pictures.pictures()}
    names, marker = (SECTION_TYPES, "keys") if group == "sections" else (tuple(KINDS), "kind")
    for name in names:
        page = REPO / "docs" / group / f"{name}.md"
        assert page.is_file(), f"no page docs/{group}/{name}.md"
        text = page.read_text("utf-8")
        assert f"{group}/{name}.md" in _nav(), f"docs/{group}/{name}.md is not in mkdocs.yml's nav"
        assert f"<!-- deckgen:{marker} {name} -->" in text, f"docs/{group}/{name}.md lacks <!-- deckgen:{marker} {name} -->"
        picture = f"img/{group}/{name}.png"
        assert f"../{picture}" in text and picture in drawn, f"docs/{group}/{name}.md shows no picture {picture}"
        assert (REPO / "docs" / picture).is_file(), f"run docs/make_pictures.py: docs/{picture} is missing"


def test_every_picture_the_script_draws_comes_from_a_spec_that_validates(docs_project, monkeypatch):
    from deckgen.build import validate

    monkeypatch.chdir(docs_project)
    pictures = _module(REPO / "docs" / "make_pictures.py").pictures()
    assert len(pictures) >= 23
    for picture in pictures:
        made = docs_examples.make_spec(picture.example, docs_project, "picture-" + picture.name, end_marker=True)
        validate(made.spec)


def _module(path: Path):
    """A script of docs/ imported by its path (docs/ is no package)."""
    name = f"docs_{path.stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        sys.modules[name] = importlib.util.module_from_spec(spec)  # dataclasses look their module up
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


def test_the_generated_reference_covers_every_command_option_and_model():
    import click
    from typer.main import get_command

    from deckgen.cli import app
    from deckgen.schema import json_schema

    hooks = _module(REPO / "docs" / "hooks" / "generated.py")
    reference = hooks.cli_reference()
    group = get_command(app)
    root = click.Context(group, info_name="deckgen", **group.context_settings)
    for name in group.list_commands(root):
        command = group.get_command(root, name)
        assert f"## `deckgen {name}`" in reference
        for param in command.params:
            for option in param.opts if param.param_type_name == "option" else ():
                assert option in reference, f"deckgen {name} {option} is missing from the CLI reference"
    for kind in ("spec", "data", "brand"):
        page = hooks.schema_reference(kind, "t", "i")
        headings = set(re.findall(r"^## (.+)$", page, re.M))
        assert set(json_schema(kind).get("$defs", {})) <= headings
        for target in re.findall(r"\]\(#([^)]+)\)", page):
            assert target in {heading.lower() for heading in headings}, f"a link to #{target} in the {kind} reference leads nowhere"


def test_every_generated_table_in_the_pages_names_a_real_type_or_kind():
    hooks = _module(REPO / "docs" / "hooks" / "generated.py")
    for page in sorted((REPO / "docs").rglob("*.md")):
        for what, name in re.findall(r"<!-- deckgen:(keys|kind) ([a-z_]+) -->", page.read_text("utf-8")):
            table = hooks.section_keys(name, "../") if what == "keys" else hooks.kind_facts(name)
            assert table.count("\n") >= 1


def _changelog_releases() -> list[tuple[str, str]]:
    return re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", (REPO / "CHANGELOG.md").read_text("utf-8"), re.M)


def test_deckgen_version_is_the_latest_release_in_the_changelog_and_pyproject():
    version = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    latest = _changelog_releases()[0][0]
    printed = subprocess.run([sys.executable, "-m", "deckgen", "--version"], capture_output=True, text=True, timeout=60)
    assert printed.returncode == 0 and printed.stdout == f"deckgen {version}\n"
    assert latest == version, "bump pyproject.toml's version with each release in CHANGELOG.md"
    from deckgen.editions import versions

    assert versions()["deckgen"] == version  # what manifests record


def test_the_changelog_keeps_a_changelog():
    text = (REPO / "CHANGELOG.md").read_text("utf-8")
    releases = _changelog_releases()
    assert [version for version, _ in releases][-1] == "0.1.0" and len(releases) >= 3
    as_tuples = [tuple(int(part) for part in version.split(".")) for version, _ in releases]
    assert as_tuples == sorted(as_tuples, reverse=True), "newest release first"
    assert [date for _, date in releases] == sorted((date for _, date in releases), reverse=True)
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert all(h == "[Unreleased]" or re.fullmatch(r"\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}", h) for h in headings), headings
    kinds = set(re.findall(r"^### (.+)$", text, re.M))
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, kinds


def test_the_readme_is_short_and_its_links_lead_somewhere():
    readme = (REPO / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) <= 300
    assert "python3 -m uv run deckgen build specs/investor.yaml" in readme and "python3 -m uv run pytest" in readme
    targets = re.findall(r"\]\((?!https?://)([^)#\s]+)", readme)
    assert any(target.startswith("docs/") for target in targets)
    missing = [target for target in targets if not (REPO / target).exists()]
    assert not missing, missing


def test_the_readme_example_spec_builds(tmp_path, monkeypatch):
    from deckgen.build import build

    specs = [example for example in docs_examples.examples([REPO / "README.md"]) if example.kind == "spec"]
    assert len(specs) == 1 and len(specs[0].text.splitlines()) <= 12
    project = copy_project(tmp_path)
    monkeypatch.chdir(project)
    made = docs_examples.make_spec(specs[0], project, "readme")
    result = build(made.spec)
    text = squash(text_of(result.output))
    assert squash(specs[0].data["title"]) in text and "Exhibit 1:" in text
