"""`deckgen schema`: JSON Schemas generated from the models accept the real files and reject typos."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from deckgen.yamlsrc import load_yaml

REPO = Path(__file__).resolve().parent.parent


def _as_json(path: Path):
    """A YAML file as an editor's language server sees it: plain JSON values (dates are strings)."""
    return json.loads(json.dumps(load_yaml(path).data, default=str))


def _schema(cli, kind: str) -> dict:
    run = cli("schema", kind)
    assert run.code == 0, run.stderr
    schema = json.loads(run.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.mark.parametrize("spec", sorted((REPO / "specs").glob("*.yaml")) + [REPO / "src/deckgen/templates/starter/specs/brief.yaml"],
                         ids=lambda p: p.name)
def test_the_example_specs_are_valid_against_the_spec_schema(cli, spec):
    jsonschema.validate(_as_json(spec), _schema(cli, "spec"))


def test_the_default_schema_is_the_spec_schema(cli):
    assert cli("schema").stdout == cli("schema", "spec").stdout


def test_a_misspelt_key_fails_the_spec_schema(cli):
    spec = _as_json(REPO / "specs/investor.yaml")
    spec["titel"] = spec.pop("title")
    with pytest.raises(jsonschema.ValidationError, match="titel"):
        jsonschema.validate(spec, _schema(cli, "spec"))


def test_a_misspelt_key_inside_a_section_fails_the_spec_schema(cli):
    spec = _as_json(REPO / "specs/investor.yaml")
    spec["sections"][1]["itmes"] = spec["sections"][1].pop("items")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(spec, _schema(cli, "spec"))


def test_every_section_type_is_in_the_schema(cli):
    from deckgen.sections import SECTION_TYPES

    text = json.dumps(_schema(cli, "spec"))
    for name in SECTION_TYPES:
        assert f'"const": "{name}"' in text or f'"{name}"' in text


@pytest.mark.parametrize("data", sorted(REPO.glob("data/*/*.yaml")) + sorted(REPO.glob("src/deckgen/templates/starter/data/*.yaml")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_data_files_are_valid_against_the_data_schema(cli, data):
    jsonschema.validate(_as_json(data), _schema(cli, "data"))


def test_a_misspelt_figure_key_fails_the_data_schema(cli):
    data = _as_json(REPO / "data/us-japan/figures.yaml")
    figure = next(iter(data["figures"].values()))
    figure["as_off"] = figure.pop("as_of")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, _schema(cli, "data"))


@pytest.mark.parametrize("brand", [REPO / "assets/brand.yml", REPO / "assets/brands/harbor/brand.yml"], ids=lambda p: p.parent.name)
def test_the_brands_are_valid_against_the_brand_schema(cli, brand):
    jsonschema.validate(_as_json(brand), _schema(cli, "brand"))


def test_an_unknown_schema_is_a_usage_error(cli):
    run = cli("schema", "spek")
    assert run.code == 2
