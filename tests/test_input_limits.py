"""Hostile or broken input is refused at its place, in one line, never with a crash or a traceback."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, output_line, spec_locale
from test_errors import MINIMAL, check_fails, write


def figures_file(project: Path) -> Path:
    return project / "data" / "us-japan" / "figures.yaml"


def validate_fails(cli, project, expected: list[str], *args: str) -> None:
    result = cli("validate", "specs/investor.yaml", *args, cwd=project)
    assert result.code == 1, result.stderr
    assert [line for line in result.stderr.splitlines() if "spec(s) checked" not in line] == expected
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


# -- YAML ---------------------------------------------------------------------------------------

def test_deeply_nested_yaml_is_refused_where_it_gets_too_deep(cli, project):
    text = MINIMAL + "keywords: " + "[" * 5000 + "]" * 5000 + "\n"
    check_fails(cli, project, text, [
        "specs/t.yaml:12:74: lists and mappings are nested more than 64 levels deep; flatten the structure",
    ])


def test_aliases_cannot_nest_deeper_than_the_limit(cli, project):
    text = "a: &a " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n"
    check_fails(cli, project, text, [
        "specs/t.yaml:1:40: lists and mappings are nested more than 64 levels deep; flatten the structure",
    ])


def test_nesting_within_the_limit_is_read(cli, project):
    text = MINIMAL.replace("title: Test brief", "title: Test brief\nsubtitel: " + "[" * 63 + "]" * 63)
    check_fails(cli, project, text, ["specs/t.yaml:2:1: unknown key 'subtitel'; did you mean 'subtitle'?"], command="validate")


def test_control_characters_in_yaml_are_located(cli, project):
    check_fails(cli, project, MINIMAL.replace("title: One", "title: O\x00ne"), [
        "specs/t.yaml:9:13: control character U+0000 is not allowed in YAML; remove it",
    ])
    check_fails(cli, project, MINIMAL.replace("body: The", "body: \x1b[31mThe"), [
        "specs/t.yaml:10:11: control character U+001B is not allowed in YAML; remove it",
    ])


def test_control_characters_in_a_data_file_are_located(cli, project):
    path = figures_file(project)
    path.write_bytes(path.read_bytes().replace(b"figures:\n", b"figures:\n  \x07\n", 1))
    validate_fails(cli, project, ["data/us-japan/figures.yaml:5:3: control character U+0007 is not allowed in YAML; remove it"])


def test_invalid_utf8_is_reported_where_the_bad_byte_is(cli, project):
    path = figures_file(project)
    path.write_bytes(path.read_bytes().replace(b"title: The $550B", b"title: The \xe9 $550B", 1))
    line = next(n for n, text in enumerate(path.read_bytes().split(b"\n"), 1) if b"\xe9" in text)
    col = path.read_bytes().split(b"\n")[line - 1].index(b"\xe9") + 1
    validate_fails(cli, project, [
        f"data/us-japan/figures.yaml:{line}:{col}: not UTF-8 text: byte 0xE9 cannot be read as UTF-8; save the file as UTF-8",
    ])


def test_invalid_utf8_column_counts_characters_not_bytes(cli, project):
    (project / "specs" / "t.yaml").write_bytes(MINIMAL.replace("title: Test brief", "title: Tést \xff").encode("latin-1", "replace"))
    result = cli("build", "specs/t.yaml", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == "specs/t.yaml:1:9: not UTF-8 text: byte 0xE9 cannot be read as UTF-8; save the file as UTF-8"
    (project / "specs" / "t.yaml").write_bytes(MINIMAL.replace("title: Test brief", "title: Tést \xff").encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    result = cli("build", "specs/t.yaml", cwd=project)
    assert result.stderr.splitlines()[0] == "specs/t.yaml:1:13: not UTF-8 text: byte 0xFF cannot be read as UTF-8; save the file as UTF-8"


def test_utf16_data_files_with_a_byte_order_mark_are_read(cli, project):
    for encoding in ("utf-16", "utf-16-be", "utf-32"):
        path = figures_file(project)
        text = path.read_bytes().decode("utf-8")
        bom = {"utf-16": b"", "utf-16-be": b"\xfe\xff", "utf-32": b""}[encoding]
        path.write_bytes(bom + text.encode(encoding))
        result = cli("validate", "specs/investor.yaml", cwd=project)
        assert result.code == 0, (encoding, result.stderr)
        path.write_bytes(text.encode("utf-8"))


def test_truncated_utf16_is_refused(cli, project):
    path = figures_file(project)
    path.write_bytes(path.read_text().encode("utf-16") + b"\x00")
    validate_fails(cli, project, [
        f"data/us-japan/figures.yaml:1:1: not UTF-16 text (byte {path.stat().st_size - 1} is not valid); save the file as UTF-8",
    ])


# -- the command line ---------------------------------------------------------------------------

def test_set_values_with_control_characters_or_line_breaks_are_refused_and_never_echoed_raw(cli, project):
    validate_fails(cli, project, [
        "<command line>: --set subtitle=\\x1b[31mred: contains U+001B, a control character or line break; remove it",
        "<command line>: --set title=a\\u2028b: contains U+2028 LINE SEPARATOR, a control character or line break; remove it",
    ], "--set", "title=a\u2028b", "--set", "subtitle=\x1b[31mred")
    validate_fails(cli, project, [
        "<command line>: --set figures.usdjpy.value=1\\nfake.yaml:1:1: injected: contains U+000A, a control character "
        "or line break; remove it",
    ], "--set", "figures.usdjpy=1\nfake.yaml:1:1: injected")


def test_every_message_that_quotes_input_escapes_invisible_characters(cli, project):
    check_fails(cli, project, MINIMAL.replace("type: narrative", "type: narr\u202eative"), [
        "specs/t.yaml:8:11: unknown section type 'narr\\u202eative'; did you mean 'narrative'?",
    ])


def test_control_characters_spelt_as_yaml_escapes_are_refused(cli, project):
    check_fails(cli, project, MINIMAL.replace("title: One", 'title: "O\\0ne"'), [
        "specs/t.yaml:9:12: control character U+0000 in a value; remove it",
    ])


# -- numbers, shares, section ids ---------------------------------------------------------------

def test_figures_too_long_to_show_are_refused_at_validate(cli, project):
    path = figures_file(project)
    text = path.read_text()
    line = next(n for n, l in enumerate(text.splitlines(), 1) if l.startswith("  usdjpy:"))
    path.write_text(text.replace("usdjpy: {value: 152,", "usdjpy: {value: " + "9" * 400 + ","))
    validate_fails(cli, project, [
        f"data/us-japan/figures.yaml:{line}:19: figures.usdjpy.value: the number is too large: at most 15 digits "
        "before the decimal point",
    ])
    path.write_text(text.replace("usdjpy: {value: 152,", "usdjpy: {value: 152.0000000000001,"))
    validate_fails(cli, project, [
        f"data/us-japan/figures.yaml:{line}:19: figures.usdjpy.value: the number has 16 significant digits; round it "
        "to at most 15",
    ])
    validate_fails(cli, project, [
        "<command line>: --set figures.usdjpy.value=1e300: the number is too large: at most 15 digits before the decimal point",
    ], "--set", "figures.usdjpy=1e300")


def test_the_largest_allowed_figure_builds(cli, project):
    # the proof refuses a value split across a KPI tile's lines; downgraded, the brief builds
    result = cli("build", "specs/investor.yaml", "--set", "figures.usdjpy=999999999999999", "--set",
                 "figures.jsif_commitment=0.00000000000001", "--set", "checks.proof=warn", cwd=project)
    assert result.code == 0, result.stderr
    assert "warning: 'USD/JPY 999,999,999,999,999' is split across lines" in result.stderr
    from babel.numbers import get_currency_symbol

    usd = get_currency_symbol("USD", spec_locale(REPO / "specs" / "investor.yaml"))  # the example's locale writes it
    assert f"warning: figure 'jsif_commitment' prints as '{usd}0.00' but its value is 1e-14 (USD)" in result.stderr


def test_shares_are_percentages_from_0_to_100(cli, project):
    path = figures_file(project)
    text = path.read_text()
    line = next(n for n, l in enumerate(text.splitlines(), 1) if "{id: other," in l)
    col = text.splitlines()[line - 1].index("value: 10}") + 8
    path.write_text(text.replace("Other strategic industries, value: 10}", "Other strategic industries, value: -10}"))
    validate_fails(cli, project, [
        f"data/us-japan/figures.yaml:{line}:{col}: breakdowns.framework_by_sector.parts.4.value: a share is a percentage "
        "from 0 to 100, not -10",
    ])
    path.write_text(text.replace("Other strategic industries, value: 10}", "Other strategic industries, min: 0, max: 101}"))
    validate_fails(cli, project, [
        f"data/us-japan/figures.yaml:{line}:{col + 6}: breakdowns.framework_by_sector.parts.4.max: a share is a "
        "percentage from 0 to 100, not 101",
    ])


def test_duplicate_section_ids_are_refused_at_the_second(cli, project):
    text = MINIMAL.replace("  - type: narrative\n", "  - type: narrative\n    id: intro\n")
    text += "  - type: quote\n    id: intro\n    text: Hi\n    author: Someone\n"
    check_fails(cli, project, text, [
        "specs/t.yaml:14:9: section id 'intro' is already used by section 1; give each section its own id",
    ])
    text = MINIMAL.replace("  - type: sources\n", "  - type: sources\n    id: section-1-narrative\n")
    check_fails(cli, project, text, [
        "specs/t.yaml:12:9: section id 'section-1-narrative' is already used by section 1; give each section its own id",
    ])


# -- where the PDF goes -------------------------------------------------------------------------

def test_an_output_that_is_a_folder_is_refused_by_validate_and_build(cli, project):
    (project / "dist" / "investor.pdf").mkdir(parents=True)
    for command in ("validate", "build"):
        result = cli(command, "specs/investor.yaml", cwd=project)
        assert result.code == 1, result.stderr
        assert result.stderr.splitlines()[0] == (
            f"specs/investor.yaml:{output_line(project / 'specs/investor.yaml')}:9: output dist/investor.pdf is a folder; name the PDF file, like dist/investor.pdf/brief.pdf"
        )


def test_a_device_is_never_replaced(cli, project):
    before = Path("/dev/full").stat()
    result = cli("build", "specs/investor.yaml", "-o", "/dev/full", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == "<command line>: output /dev/full is a device, not a regular file; write the PDF to a file"
    after = Path("/dev/full").stat()
    assert (after.st_mode, after.st_rdev, after.st_ino) == (before.st_mode, before.st_rdev, before.st_ino)


def test_a_file_deckgen_did_not_write_is_never_replaced(cli, project):
    (project / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    spec = project / "specs" / "investor.yaml"
    spec.write_text(spec.read_text().replace("output: ../dist/investor.pdf", "output: ../pyproject.toml"))
    result = cli("validate", "specs/investor.yaml", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == (
        f"specs/investor.yaml:{output_line(project / 'specs/investor.yaml')}:9: output pyproject.toml exists and was not written by deckgen; choose a new file name, "
        "or move that file away"
    )
    assert cli("build", "specs/investor.yaml", cwd=project).code == 1
    assert (project / "pyproject.toml").read_text() == "[project]\nname = 'mine'\n"
    assert not (project / "pyproject.manifest.json").exists()

    (project / "other.pdf").write_bytes(b"%PDF-1.4\n% someone else's PDF\n/Creator (LibreOffice)\n%%EOF\n")
    result = cli("build", "specs/investor.yaml", "-o", "other.pdf", cwd=project)
    assert result.code == 1 and "output other.pdf exists and was not written by deckgen" in result.stderr


def test_a_manifest_beside_the_output_must_be_deckgens(cli, project):
    (project / "dist").mkdir()
    (project / "dist" / "investor.manifest.json").write_text('{"mine": true}\n')
    result = cli("build", "specs/investor.yaml", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == (
        f"specs/investor.yaml:{output_line(project / 'specs/investor.yaml')}:9: the manifest dist/investor.manifest.json would replace a file that is not a deckgen "
        "manifest; choose another output name, or move that file away"
    )
    assert (project / "dist" / "investor.manifest.json").read_text() == '{"mine": true}\n'


def test_a_previous_deckgen_output_is_replaced_with_or_without_its_manifest(cli, project):
    assert cli("build", "specs/investor.yaml", cwd=project).code == 0
    assert cli("build", "specs/investor.yaml", "--set", "subtitle=Second", cwd=project).code == 0  # the manifest matches
    (project / "dist" / "investor.manifest.json").unlink()  # recognised by the PDF's Creator and Producer
    assert cli("build", "specs/investor.yaml", "--set", "subtitle=Third", cwd=project).code == 0
    (project / "dist" / "investor.pdf").rename(project / "copy.pdf")  # a deckgen PDF without its manifest
    assert cli("build", "specs/investor.yaml", "-o", "copy.pdf", cwd=project).code == 0


def test_an_output_below_a_file_is_refused(cli, project):
    (project / "notes").write_text("x")
    result = cli("validate", "specs/investor.yaml", "--set", "output=../notes/brief.pdf", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == (
        "<command line>: cannot write notes/brief.pdf: notes is not a folder; choose another output path"
    )


# -- found by the property test (test_validate_implies_build.py) --------------------------------

def test_a_table_column_too_narrow_to_print_is_refused_at_its_width(cli, project):
    spec = project / "specs" / "investor.yaml"
    spec.write_text(spec.read_text().replace("{key: ticker, label: Ticker, width: 0.85}", "{key: ticker, label: Ticker, width: 0.2}"))
    lines = spec.read_text().splitlines()
    line = next(n for n, l in enumerate(lines, 1) if "{key: ticker, label: Ticker, width: 0.2}" in l)
    col = lines[line - 1].index("width: ") + 8
    validate_fails(cli, project, [
        f"specs/investor.yaml:{line}:{col}: column 'ticker' would be 3.4% of the table's width, too narrow to print; "
        "give every column at least 5% (widths are relative to their sum)",
    ])


def test_a_breakdown_title_is_data_text_not_a_template_so_braces_in_it_are_refused(cli, project):
    # printed as written, '{{ nope }}' would reach the page as is: refused where it is written, before any build
    path = figures_file(project)
    path.write_text(path.read_text().replace("title: The $550B framework by sector", "title: 'Shares {{ nope }} [@x]'"))
    validate_fails(cli, project, [
        "data/us-japan/figures.yaml:37:20: breakdowns.framework_by_sector.title: '{{ nope }}' would be printed as "
        "written: a data file's titles are text, not templates; write the value out, or refer to the figure from the "
        "spec's text",
    ])
    assert cli("build", "specs/investor.yaml", cwd=project).code == 1
    path.write_text(path.read_text().replace("'Shares {{ nope }} [@x]'", "'Shares [@x]'"))  # a citation's brackets are text here
    assert cli("build", "specs/investor.yaml", cwd=project).code == 0


def test_a_table_source_must_be_a_citable_id(cli, project):
    validate_fails(cli, project, [
        "<command line>: --set data.instruments.source=%s {0}: source id '%s {0}' can only use letters, digits, '.', '_' "
        "and '-' (so that [@id] can cite it)",
    ], "--set", "data.instruments.source=%s {0}")


def test_text_set_in_a_cell_or_box_is_bounded_so_that_it_fits_on_a_page(cli, project):
    text = MINIMAL + f"  - type: quote\n    text: {'x' * 1501}\n    author: {'Someone ' * 40}\n"
    check_fails(cli, project, text, [
        "specs/t.yaml:13:11: sections.2.text: String should have at most 1500 characters",
        "specs/t.yaml:14:13: sections.2.author: String should have at most 300 characters",
    ])


def test_a_long_set_value_is_cut_in_messages(cli, project):
    validate_fails(cli, project, [
        f"<command line>: --set sections.0.label={'x' * 59}\u2026: String should have at most 300 characters",
    ], "--set", "sections.0.label=" + "x" * 400)


def _words(length: int) -> str:
    """Text of ``length`` characters in words of a usual length."""
    return ("capacity " * (length // 9 + 1))[:length].strip()


def test_the_longest_allowed_texts_build(cli, project):
    longest = ["sections.0.label=" + _words(300), "sections.2.items.0.label=" + _words(300), "sections.1.items.0.text=" + _words(1500),
               "sections.13.opportunities.items.0=" + _words(1500), "sections.13.risks.title=" + _words(300),
               "sections.14.items.0.title=" + _words(300), "sections.15.columns.1.label=" + _words(60)]
    result = cli("build", "specs/investor.yaml", *[arg for value in longest for arg in ("--set", value)], cwd=project)
    assert result.code == 0, result.stderr


def test_a_word_no_box_can_hold_is_refused_by_the_proof_not_cut(cli, project):
    result = cli("build", "specs/investor.yaml", "--set", "sections.2.items.0.label=" + "x" * 300, cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0].startswith(
        f"<command line>: '{'x' * 59}…' is broken across lines as '")
    assert "in the label of the KPI tile" in result.stderr and result.stderr.endswith("nothing was written\n")


def test_a_spec_or_recipients_file_that_is_a_named_pipe_is_refused_not_waited_on(cli, project):
    import os

    os.mkfifo(project / "specs" / "pipe.yaml")
    result = cli("validate", "specs/pipe.yaml", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == "specs/pipe.yaml: not a regular file (a named pipe); give the path of a YAML file"
    os.mkfifo(project / "pipe.csv")
    result = cli("send", "specs/investor.yaml", "--recipients", "pipe.csv", "--dry-run", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == "pipe.csv: recipients file is not a regular file (a named pipe)"


def test_paths_the_system_cannot_open_are_refused_where_they_are_written(cli, project):
    validate_fails(cli, project, [
        f"<command line>: --set data.figures={'x' * 59}\u2026: a file or folder name in this path is longer than 255 bytes",
    ], "--set", "data.figures=" + "x" * 300)
    result = cli("build", "specs/investor.yaml", "-o", "x" * 300 + ".pdf", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == (
        f"<command line>: output {'x' * 300}.pdf: a file or folder name in this path is longer than 255 bytes; "
        "choose a shorter path"
    )


def test_a_lock_folder_that_is_a_file_is_found_by_validate(cli, project):
    (project / "dist").mkdir()
    (project / "dist" / ".deckgen").write_text("")
    result = cli("validate", "specs/investor.yaml", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == (
        f"specs/investor.yaml:{output_line(project / 'specs/investor.yaml')}:9: cannot write dist/investor.pdf: dist/.deckgen is not a folder; choose another output path"
    )


def test_a_share_with_both_a_value_and_a_range_is_refused_at_the_part(cli, project):
    path = figures_file(project)
    text = path.read_text()
    line = next(n for n, l in enumerate(text.splitlines(), 1) if "{id: other," in l)
    path.write_text(text.replace("Other strategic industries, value: 10}", "Other strategic industries, value: 10, min: 5}"))
    validate_fails(cli, project, [
        f"data/us-japan/figures.yaml:{line}:9: breakdowns.framework_by_sector.parts.4: part 'other': give either "
        "'value' or 'min'/'max', not both",
    ])
