"""Nothing held back silently, machine-written data read, no hang: number options, a very long word,
the cache's fallback folder, comment lines in a recipients file."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

SPEC = "specs/investor.yaml"


@pytest.mark.parametrize("args, option", [
    (("send", SPEC, "--dry-run", "--max-size", "nan"), "--max-size"),
    (("send", SPEC, "--dry-run", "--max-size", "inf"), "--max-size"),
    (("build", SPEC, "--wait", "nan"), "--wait"),
    (("build", SPEC, "--wait", "inf"), "--wait"),
    (("preview", SPEC, "--scale", "nan"), "--scale"),
])
def test_a_number_option_that_is_not_finite_is_refused(project: Path, cli, args, option):
    result = cli(*args, cwd=project)
    assert result.code == 2
    value = args[-1]
    assert f"Invalid value for '{option}': '{value}' is not a finite number" in result.stderr
    assert not (project / "dist" / "outbox").exists()


def test_a_word_no_line_can_hold_is_refused_at_validate_at_once(project: Path, cli):
    spec = project / "specs" / "investor.yaml"
    text = spec.read_text("utf-8")
    anchor = "    title: A strategic convergence with no modern precedent\n    body: |\n"
    assert anchor in text
    spec.write_text(text.replace(anchor, anchor + "      Start " + "a" * 100_000 + " end.\n\n"), "utf-8")
    line = text[: text.index(anchor)].count("\n") + 3
    started = time.perf_counter()
    result = cli("validate", SPEC, cwd=project)
    assert time.perf_counter() - started < 30
    assert result.code == 1
    assert result.stderr.splitlines()[0] == (
        f"specs/investor.yaml:{line}:13: a word of 100,000 characters ('aaaaaaaaaaaaaaaaaaaa…'): no line can hold it; "
        "break it with spaces; a word has at most 500 characters")


def test_the_last_word_of_a_long_paragraph_is_found_in_linear_time():
    from deckgen.render.context import Hyphenator

    hyphenator = Hyphenator("en_US")
    timings = []
    for letters in (10_000, 100_000):
        started = time.perf_counter()
        hyphenator.keep_whole("Intro " + "a" * letters + " final.")
        timings.append(time.perf_counter() - started)
    assert "final" in hyphenator.last_words
    assert timings[1] < 1.0  # quadratic, this took minutes
    assert list(hyphenator("b" * 65)) == []  # longer than any word of a language: never hyphenated


def test_the_cache_folder_under_the_temporary_directory_must_be_this_users(tmp_path: Path, monkeypatch):
    import tempfile

    from deckgen.writing import user_cache

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("DECKGEN_CACHE", str(blocked))  # the preferred place cannot be made: the fallback is used
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    own = user_cache("charts")
    assert own == tmp_path / f"deckgen-charts-{os.getuid()}" and (own.stat().st_mode & 0o777) == 0o700

    planted = tmp_path / f"deckgen-fonts-{os.getuid()}"
    planted.mkdir(mode=0o777)
    os.chmod(planted, 0o777)  # anyone may write to it (or another user made it)
    found = user_cache("fonts")
    assert found != planted and found.parent == tmp_path and (found.stat().st_mode & 0o077) == 0

    if os.getuid() == 0:  # as root, a folder owned by another user
        other = tmp_path / f"deckgen-faces-{os.getuid()}"
        other.mkdir(mode=0o700)
        os.chown(other, 65534, 65534)
        assert user_cache("faces") != other


def test_comment_lines_above_the_header_of_a_recipients_file_are_skipped(project: Path, cli):
    (project / "desk.csv").write_text("# the London desk, refreshed nightly\n\n# owner: ops\nemail,name,subtitle\n"
                                      "ann@example.com,Ann Lee,London desk edition\n", "utf-8")
    result = cli("send", SPEC, "--dry-run", "--recipients", "desk.csv", cwd=project)
    assert result.code == 0, result.stderr
    assert (project / "dist" / "outbox" / "ann@example.com.eml").exists()
    (project / "bad.csv").write_text("# a comment\nmail,name\nann@example.com,Ann\n", "utf-8")
    result = cli("send", SPEC, "--dry-run", "--recipients", "bad.csv", cwd=project)
    assert result.code == 1
    assert result.stderr.splitlines()[0] == "bad.csv:2:1: recipients file needs an 'email' column in its header row; did you mean 'mail'?"
