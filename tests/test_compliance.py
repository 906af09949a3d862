"""What a compliance desk checks before sign-off: the brief is issued in the name of the brand on its
masthead, quotes are ones the sources can vouch for, and a source list says when it links only to a
publisher's site."""

from __future__ import annotations

from pathlib import Path

import pytest

from deckgen.build import build
from pdfread import links_of, squash, text_of

HARBOR = "brand=../assets/brands/harbor/brand.yml"
SPEC = "specs/investor.yaml"


def _edit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def _lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "spec(s) checked" not in line and "nothing was written" not in line]


@pytest.mark.parametrize("brand, firm, other", [
    (None, "Meridian Pacific Research", "Harbor Lane"),
    (HARBOR, "Harbor Lane Capital", "Meridian"),
])
def test_the_brief_is_issued_in_the_name_of_the_brand_it_is_built_with(project, brand, firm, other):
    result = build(project / SPEC, overrides=[brand] if brand else [], allow_stale=True)
    text = squash(text_of(result.output))
    assert f"Issued by {firm}, 1 Example Street, London. Regulated by" in text
    assert text.count(firm) >= 3, "masthead, analyst table and issuer line name the same firm"
    assert other not in text, f"{other} appears in a brief built with the {firm} brand"


ISSUER_NAMED = "    issuer:                # issued in the name of the brand it is built with (brand.yml meta.name)\n"


def test_an_issuer_that_is_not_the_brand_is_refused_by_validate_and_build(cli, project):
    _edit(project, SPEC, ISSUER_NAMED, "    issuer:\n      name: Meridian Pacific Research Ltd\n")
    line = project.joinpath(SPEC).read_text("utf-8").splitlines().index("      name: Meridian Pacific Research Ltd") + 1
    expected = [
        f"{SPEC}:{line}:13: the disclosures say the brief is issued by 'Meridian Pacific Research Ltd' but it is built "
        f"with the brand 'Harbor Lane Capital' (--set {HARBOR}), whose name the masthead and footer show; remove "
        "issuer: name: to issue it in the brand's name, give a name that contains 'Harbor Lane Capital', or build "
        "with the issuer's own brand"]
    for command in ("validate", "build"):
        run = cli(command, SPEC, "--set", HARBOR, cwd=project)
        assert run.code == 1, run.stderr
        assert _lines(run.stderr) == expected, command
    assert not (project / "dist" / "investor.pdf").exists()
    # the legal entity of the brand's firm is the brand's name and more: accepted
    run = cli("validate", SPEC, "--strict", cwd=project)
    assert run.code == 0, run.stderr


def test_no_issuer_name_and_a_brand_with_no_name_is_refused(cli, project):
    _edit(project, "assets/brand.yml", "  name: Meridian Pacific Research\n", "")
    run = cli("validate", SPEC, cwd=project)
    assert run.code == 1
    line = project.joinpath(SPEC).read_text("utf-8").splitlines().index(ISSUER_NAMED.rstrip("\n")) + 1
    assert f"{SPEC}:{line}:5: the disclosures name no issuer and the brand (brand: ../assets/brand.yml) has no " \
        "meta.name to issue it in; give issuer: name: (the firm that issues the brief) or the brand's meta: name:" \
        in _lines(run.stderr)


def test_a_source_url_that_is_only_a_home_page_is_flagged(cli, project):
    _edit(project, "data/us-japan/sources.yaml", "    site: https://ustr.gov/", "    url: https://ustr.gov/")
    line = project.joinpath("data/us-japan/sources.yaml").read_text("utf-8").splitlines().index(
        "    url: https://ustr.gov/      # the seeds give only the publisher's site") + 1
    expected = (f"data/us-japan/sources.yaml:{line}:10: warning: source 'ustr-dta': https://ustr.gov/ is a home page, "
                "not the address of the document cited; give the document's own address, or write it as site: so "
                "the brief says it is only the publisher's site")
    run = cli("validate", SPEC, cwd=project)
    assert run.code == 0 and _lines(run.stderr) == [expected]
    assert cli("validate", SPEC, "--strict", cwd=project).code == 1


def test_sources_with_only_a_publishers_site_say_so(example_pdf):
    text = squash(text_of(example_pdf))
    text = text[text.rindex("Sources [1] "):]
    for number, site in ((1, "https://www.commerce.gov/"), (2, "https://www.mod.go.jp/en/"),
                         (3, "https://www.jpx.co.jp/english/"), (4, "https://ustr.gov/"),
                         (5, "https://www.elliottinvestmentmanagement.com/")):
        entry = text[text.index(f"[{number}] "):text.index(f"[{number + 1}] ")]
        assert f"No document address given; publisher’s site: {site}." in entry, entry
        assert "Available:" not in entry, entry
    uris = {link.uri for link in links_of(example_pdf) if link.uri}
    assert "https://ustr.gov/" in uris, "the publisher's site stays a link"


def test_the_example_carries_no_quote_its_sources_cannot_vouch_for(example_pdf):
    text = squash(text_of(example_pdf))
    assert "Raimondo" not in text and "Marshall Plan" not in text
