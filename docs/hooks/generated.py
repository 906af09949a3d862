"""mkdocs hooks: the pages deckgen's own code can write are generated at every build, never committed.

- ``reference/cli.md`` from the typer app: every command, argument and option, worded as ``--help``;
- ``reference/spec.md``, ``reference/data.md``, ``reference/brand.md`` from the JSON Schemas that
  ``deckgen schema`` prints (the pydantic models that validate the files);
- ``changelog.md`` from ``CHANGELOG.md``;
- in a page, ``<!-- deckgen:keys TYPE -->`` becomes the table of a section type's keys and
  ``<!-- deckgen:kind KIND -->`` what a chart kind accepts (from its module in charts/kinds/).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_PAGES = {
    "reference/spec.md": ("spec", "Spec file reference",
                          "Every key of a report spec, generated from the models that validate it "
                          "(`deckgen schema spec` prints the same as JSON Schema). An unknown key is an error."),
    "reference/data.md": ("data", "Data file reference",
                          "Every key of a data file: figures, breakdowns and units, or sources "
                          "(`deckgen schema data`). See [Concepts](../concepts.md#data-files) for what they mean."),
    "reference/brand.md": ("brand", "brand.yml reference",
                           "Every key of brand.yml as deckgen reads it (`deckgen schema brand`). Most values may "
                           "also be written short (a logo as a path, a colour as a name). See [Brand](../brand.md) "
                           "for what deckgen does with each."),
}
_MARKER = re.compile(r"<!-- deckgen:(keys|kind) ([a-z_]+) -->")
_SHORTHAND = {"type": ["string", "number", "boolean", "array", "null"]}


def on_files(files, config):
    from mkdocs.structure.files import File

    pages = {"reference/cli.md": cli_reference(), "changelog.md": changelog()}
    for uri, (kind, title, intro) in REFERENCE_PAGES.items():
        pages[uri] = schema_reference(kind, title, intro)
    for uri, content in pages.items():
        files.append(File.generated(config, uri, content=content))
    return files


def on_page_markdown(markdown, page, config, files):
    prefix = "../" * page.file.src_uri.count("/")

    def fill(match: re.Match) -> str:
        what, name = match.groups()
        return section_keys(name, prefix) if what == "keys" else kind_facts(name)

    return _MARKER.sub(fill, markdown)


# --- the command line ------------------------------------------------------------------------


def cli_reference() -> str:
    import click
    from typer.main import get_command

    from deckgen.cli import app

    group = get_command(app)
    root = click.Context(group, info_name="deckgen", **group.context_settings)
    out = ["# CLI reference", "",
           "Generated from deckgen's command-line app at every build of this site: what `deckgen COMMAND --help` "
           "prints, command by command. [Command line](../cli.md) explains the conventions (streams, `-o`, "
           "`--set`, exit codes, errors).", ""]
    out += _command(group, root, "deckgen", level=2)
    for name in group.list_commands(root):
        command = group.get_command(root, name)
        out += _command(command, click.Context(command, info_name=name, parent=root), f"deckgen {name}", level=2)
    return "\n".join(out) + "\n"


def _command(command, ctx, title: str, level: int) -> list[str]:
    usage = " ".join([ctx.command_path, *command.collect_usage_pieces(ctx)])
    out = [f"{'#' * level} `{title}`", "", "```", usage, "```", ""]
    for paragraph in (command.help or "").split("\n\n"):
        out += [_escape(" ".join(paragraph.split())), ""]
    records = [(param, param.get_help_record(ctx)) for param in command.get_params(ctx)]
    arguments = [(param.param_type_name, record) for param, record in records if record and param.param_type_name == "argument"]
    options = [record for param, record in records if record and param.param_type_name == "option"]
    for heading, rows in (("Arguments", [record for _, record in arguments]), ("Options", options)):
        if rows:
            out += [f"| {heading.lower()[:-1]} | meaning |", "|---|---|"]
            out += [f"| `{names}` | {_escape(' '.join(text.split()))} |" for names, text in rows]
            out.append("")
    return out


def _escape(text: str) -> str:
    """Help text as Markdown that prints it as written (no emphasis, tags or table breaks)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", text)


# --- the file formats ------------------------------------------------------------------------


def schema_reference(kind: str, title: str, intro: str) -> str:
    from deckgen.schema import json_schema

    schema = json_schema(kind)
    definitions = schema.get("$defs", {})
    out = [f"# {title}", "", intro + " Generated from deckgen's models at every build of this site.", ""]
    if "properties" in schema:
        out += [f"## The file", ""] + _keys_table(schema, "") + [""]
    else:
        out += ["A file is one of: " + ", ".join(_type(option, "") for option in schema["anyOf"]) + ".", ""]
    for name in sorted(definitions, key=str.lower):
        definition = definitions[name]
        out += [f"## {name}", ""]
        if definition.get("description"):
            out += [_prose(definition["description"]), ""]
        out += (_keys_table(definition, "") if "properties" in definition else [f"{_type(definition, '')}."]) + [""]
    return "\n".join(out)


def section_keys(section_type: str, prefix: str) -> str:
    """The table of one section type's keys, linking its nested objects into the spec reference."""
    from deckgen.schema import json_schema

    schema = json_schema("spec")
    mapping = schema["properties"]["sections"]["items"]["discriminator"]["mapping"]
    if section_type not in mapping:
        raise ValueError(f"<!-- deckgen:keys {section_type} -->: no such section type (known: {', '.join(sorted(mapping))})")
    model = schema["$defs"][mapping[section_type].rsplit("/", 1)[1]]
    return "\n".join(_keys_table(model, prefix + "reference/spec.md"))


def _keys_table(model: dict, link: str) -> list[str]:
    required = set(model.get("required", ()))
    rows = ["| key | value | default |", "|---|---|---|"]
    for key, prop in model["properties"].items():
        if "const" in prop:
            default = "required: " + f"`{prop['const']}`"
        elif key in required:
            default = "required"
        elif "default" in prop and prop["default"] not in (None, [], {}, "") and not isinstance(prop["default"], dict):
            default = _value(prop["default"])  # a nested object's defaults are in its own table
        else:
            default = "—"
        value = _type(prop, link)
        if prop.get("description"):
            value += f" — {_prose(prop['description'])}"
        rows.append(f"| `{key}` | {value} | {default} |")
    if model.get("additionalProperties") not in (None, False):
        rows.append(f"| *any other name* | {_type(model['additionalProperties'], link)} | — |")
    return rows


def _prose(text: str) -> str:
    """A model's docstring as Markdown: ``code`` (reStructuredText's) as code, the rest as written."""
    parts = re.split(r"``(.+?)``", " ".join(text.split()))
    return "".join(f"`{part}`" if index % 2 else _escape(part) for index, part in enumerate(parts))


def _value(value) -> str:
    import json

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"`{text}`" if "`" not in text else _escape(text)


def _type(node, link: str) -> str:
    """A JSON Schema type in words: `text`, `list of Takeaway`, `` `A4` or `Letter` ``."""
    if node is True or node == {}:
        return "anything"
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return f"[{name}]({link}#{name.lower()})"
    for combinator in ("anyOf", "oneOf"):
        if combinator in node:
            options = [option for option in node[combinator] if option.get("type") != "null" and option != _SHORTHAND]
            words = " or ".join(dict.fromkeys(_type(option, link) for option in options))
            return words + (" (or written short)" if _SHORTHAND in node[combinator] else "")
    if "enum" in node:
        return " \\| ".join(f"`{value}`" for value in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type")
    limits = []
    if kind == "array":
        item = _type(node.get("items", {}), link)
        if "maxItems" in node:
            limits.append(f"at most {node['maxItems']}")
        if node.get("minItems"):
            limits.append(f"at least {node['minItems']}")
        return f"list of {item}" + (f" ({', '.join(limits)})" if limits else "")
    if kind == "object":
        extra = node.get("additionalProperties")
        return "mapping" if extra in (None, True, {}) else f"mapping of names to {_type(extra, link)}"
    if kind == "string":
        word = {"date": "date", "date-time": "date and time", "path": "path", "email": "email address"}.get(node.get("format"), "text")
        if node.get("maxLength"):
            limits.append(f"at most {node['maxLength']} characters")
        if node.get("pattern"):
            limits.append(f"matching `{node['pattern']}`")
    elif kind in ("number", "integer"):
        word = "whole number" if kind == "integer" else "number"
        for key, sign in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
            if key in node:
                limits.append(f"{sign} {node[key]}")
    elif kind == "boolean":
        word = "`true` or `false`"
    elif isinstance(kind, list):
        word = " or ".join(kind)
    else:
        word = "anything"
    return word + (f" ({', '.join(limits)})" if limits else "")


# --- chart kinds -----------------------------------------------------------------------------


def kind_facts(name: str) -> str:
    from deckgen.charts.kinds import KIND_OPTIONS, KINDS

    if name not in KINDS:
        raise ValueError(f"<!-- deckgen:kind {name} -->: no such chart kind (known: {', '.join(KINDS)})")
    kind = KINDS[name]
    honoured = [option for option in KIND_OPTIONS if option in kind.honours]
    refused = [option for option in KIND_OPTIONS if option not in kind.honours]
    axes = {"date": "a time axis (dates)", "number": "a number axis", "category": "categories"}
    lines = [f"- `x`: a column of type {_words(kind.x_kinds, 'or')}, drawn as "
             f"{_words([axes[k] for k in kind.x_kinds_drawn], 'or', code=False)}"
             + (" down the side, with the values along the bottom" if kind.horizontal else "") + "."]
    if "category" in kind.x_kinds_drawn:
        lines.append(f"- At most {kind.max_categories} categories.")
    if kind.stacked:
        lines.append("- The series are stacked.")
    lines.append(f"- Takes {_words(honoured, 'and')}" if honoured else "- Takes none of the options only some kinds use")
    lines[-1] += f"; refuses {_words(refused, 'and')}, an error at the key." if refused else "."
    if "value_labels" in kind.honours:
        lines.append("- Writes the values on the bars by default when there is a single series of few bars."
                     if kind.value_labels else "- Writes the values on the marks only with `value_labels: true`.")
    return "\n".join(lines)


def _words(items, joiner: str, code: bool = True) -> str:
    """`a`, `b` or `c`; a, b and c."""
    items = [f"`{item}`" if code else item for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {joiner} " + items[-1]


def changelog() -> str:
    return (ROOT / "CHANGELOG.md").read_text("utf-8")
