"""`deckgen init`: a new project that validates strictly and builds at once, from any folder, also from a wheel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from deckgen.yamlsrc import load_yaml

REPO = Path(__file__).resolve().parent.parent


def test_init_writes_a_project_that_validates_strictly_and_builds(cli, tmp_path):
    run = cli("init", "my-brief", cwd=tmp_path)
    assert run.code == 0, run.stderr
    spec = tmp_path / run.stdout.splitlines()[-1]  # the last line of stdout is the spec's path
    assert spec == tmp_path / "my-brief/specs/brief.yaml" and spec.is_file()
    assert "deckgen build" in run.stderr  # the next steps, as diagnostics
    assert cli("validate", "--strict", spec, cwd=tmp_path).code == 0
    built = cli("build", spec, cwd=tmp_path)
    assert built.code == 0, built.stderr
    assert (tmp_path / "my-brief/dist/brief.pdf").read_bytes().startswith(b"%PDF-")


def test_init_ships_fonts_with_their_licences_a_logo_a_table_and_illustrative_figures(cli, tmp_path):
    cli("init", tmp_path / "p")
    project = tmp_path / "p"
    fonts = {p.name for p in (project / "brand/fonts").iterdir()}
    assert {"Lato-Regular.ttf", "LICENSE-fonts-lato.txt", "DejaVuSans.ttf", "LICENSE-DejaVu.txt"} <= fonts
    assert (project / "brand/logo.svg").is_file()
    assert (project / "data/holdings.csv").read_text().startswith("name,")
    assert "ILLUSTRATIVE" in (project / "data/figures.yaml").read_text()


def test_init_refuses_to_overwrite(cli, tmp_path):
    assert cli("init", tmp_path / "p").code == 0
    spec = tmp_path / "p/specs/brief.yaml"
    spec.write_text("# mine\n")
    again = cli("init", tmp_path / "p")
    assert again.code == 2 and "refusing to overwrite" in again.stderr and again.stdout == ""
    assert spec.read_text() == "# mine\n"


def test_init_into_an_existing_folder_with_other_files_keeps_them(cli, tmp_path):
    (tmp_path / "README.md").write_text("mine\n")
    assert cli("init", tmp_path).code == 0
    assert (tmp_path / "README.md").read_text() == "mine\n"


def test_init_wires_the_schemas_up_for_editors(cli, tmp_path):
    cli("init", tmp_path / "p")
    project = tmp_path / "p"
    settings = json.loads((project / ".vscode/settings.json").read_text())
    for schema_path, globs in settings["yaml.schemas"].items():
        assert (project / schema_path).is_file() and globs
    for yaml_file in ("specs/brief.yaml", "data/figures.yaml", "data/sources.yaml", "brand/brand.yml"):
        first = (project / yaml_file).read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        schema_file = (project / yaml_file).parent / first.split("$schema=", 1)[1]
        schema = json.loads(schema_file.read_text())
        jsonschema.validate(json.loads(json.dumps(load_yaml(project / yaml_file).data, default=str)), schema)


def _uv() -> list[str] | None:
    if os.environ.get("UV") and Path(os.environ["UV"]).is_file():
        return [os.environ["UV"]]
    if found := shutil.which("uv"):
        return [found]
    for python in ("python3", sys.executable):
        if shutil.which(python) and subprocess.run([python, "-m", "uv", "--version"], capture_output=True).returncode == 0:
            return [python, "-m", "uv"]
    return None


@pytest.mark.skipif(_uv() is None, reason="uv is needed to build and install the wheel")
def test_init_from_an_installed_wheel_outside_the_repository(tmp_path):
    uv = _uv()
    built = subprocess.run([*uv, "build", "--wheel", "--out-dir", tmp_path / "wheel", REPO], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "wheel").glob("deckgen-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for packaged in ("brand/fonts/Lato-Regular.ttf", "brand/fonts/LICENSE-fonts-lato.txt", "brand/logo.svg", "specs/brief.yaml", "data/holdings.csv"):
        assert f"deckgen/templates/starter/{packaged}" in names

    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    for step in ([*uv, "venv", "--quiet", "--python", sys.executable, venv],
                 [*uv, "pip", "install", "--quiet", "--python", venv / "bin/python", wheel]):
        done = subprocess.run(step, capture_output=True, text=True, timeout=600, env=env)
        assert done.returncode == 0, done.stderr

    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    deckgen = str(venv / "bin/deckgen")

    def run(*args):
        return subprocess.run([deckgen, *map(str, args)], cwd=elsewhere, capture_output=True, text=True, timeout=300,
                              env=env, stdin=subprocess.DEVNULL)

    where = subprocess.run([venv / "bin/python", "-c", "import deckgen; print(deckgen.__file__)"], cwd=elsewhere,
                           capture_output=True, text=True, env=env)
    assert str(venv) in where.stdout  # the installed copy, not the checkout
    created = run("init", "brief")
    assert created.returncode == 0, created.stderr
    spec = created.stdout.splitlines()[-1]
    assert spec == "brief/specs/brief.yaml"
    checked = run("validate", "--strict", spec)
    assert checked.returncode == 0, checked.stderr
    made = run("build", spec)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "brief/dist/brief.pdf"
    assert (elsewhere / "brief/dist/brief.pdf").read_bytes().startswith(b"%PDF-")
