"""``deckgen proof FILE.pdf``: an edition already written, checked again with its manifest.

For an audit or a CI job that receives PDFs: the file must be the one deckgen wrote (its sha256 in
the manifest), its proof must have passed, and the PDF's own text must still show what the proof
recorded: every figure on its pages, every exhibit on its page, no template text in the pages,
bookmarks or metadata. A pdfa-3b edition carries its manifest and data: every figure it prints is
re-checked against them too (``embedded``), and it can be checked without the manifest beside it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..editions import manifest_path, read_manifest
from ..errors import Mark, Problem, display_path
from ..text import template_token
from .embedded import Recheck, recheck
from .lines import normal


@dataclass(frozen=True)
class Audit:
    pdf: Path
    problems: tuple[Problem, ...]
    summary: dict = field(default_factory=dict)
    embedded: Recheck | None = None  # a pdfa-3b edition: its figures re-checked against the data it carries

    @property
    def passed(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def line(self) -> str:
        """One line saying what was verified ('dist/brief.pdf: proof passed: 5 pages, …')."""
        s = self.summary
        tables = s.get("tables", [])
        rows = sum(t.get("rows") or 0 for t in tables)
        rechecked = (f"{self.embedded.figures} figure(s) re-checked against embedded data ({self.embedded.files} "
                     f"file(s))" if self.embedded is not None else "")
        if not s:
            return (f"{display_path(self.pdf)}: proof passed: {rechecked}; no manifest beside it, so its pages were "
                    "not checked against a proof record")
        return (f"{display_path(self.pdf)}: proof passed: {s.get('pages', 0)} page(s), {len(s.get('exhibits', []))} "
                f"exhibit(s) ({len(tables)} table(s), {rows:,} row(s)), {len(s.get('figures', []))} figure(s) on their pages"
                + (f", {rechecked}" if rechecked else ""))

    def record(self) -> dict:
        """What ``--log-format json`` prints for this edition."""
        record = {"passed": self.passed, "proof": self.summary}
        if self.embedded is not None:
            record["embedded"] = {"files": self.embedded.files, "figures_rechecked": self.embedded.figures}
        return record


def audit(pdf: Path) -> Audit:
    """Every problem with the edition at ``pdf`` and its manifest (located at the PDF, by page)."""
    shown = display_path(pdf)
    problems: list[Problem] = []

    def problem(message: str, hint: str | None = None, code: str = "proof") -> None:
        problems.append(Problem.at(Mark(shown, 0, 0), message, hint, code=code))

    if not pdf.is_file():
        problem("not found (or not a file)", "give the path of a PDF deckgen wrote")
        return Audit(pdf, tuple(problems))
    embedded = recheck(pdf)
    carried = embedded.problems if embedded is not None else ()
    manifest = read_manifest(pdf)
    if not manifest or "deckgen_manifest" not in manifest:
        if embedded is not None:  # a pdfa-3b edition on its own: checked against what it carries
            return Audit(pdf, carried, embedded=embedded)
        problem(f"no deckgen manifest beside it ({display_path(manifest_path(pdf))})",
                "proof checks an edition with the manifest deckgen wrote for it; build it again")
        return Audit(pdf, tuple(problems))
    data = pdf.read_bytes()
    if hashlib.sha256(data).hexdigest() != manifest.get("pdf_sha256"):
        problem("the PDF is not the one its manifest describes (its sha256 differs): it was changed after deckgen wrote it",
                "build it again")
        return Audit(pdf, (*problems, *carried), embedded=embedded)
    if embedded is not None and embedded.manifest.get("input_hash") != manifest.get("input_hash"):
        problem("the manifest the PDF carries is not the one beside it (their input hashes differ)", "build it again")
    recorded = manifest.get("proof")
    if not isinstance(recorded, dict):
        problem("its manifest records no proof (it was built by a deckgen before 0.3)", "build it again")
        return Audit(pdf, tuple(problems))
    if recorded.get("status") == "failed":
        problem("its proof failed when it was built", "build it again after fixing what the manifest's proof lists")

    pages, bookmarks, metadata = _read(pdf)
    if len(pages) != manifest.get("pages") or len(pages) != recorded.get("pages"):
        problem(f"has {len(pages)} page(s); its manifest records {manifest.get('pages')}")
    for number, text in enumerate(pages, start=1):
        if (token := template_token(text)) is not None:
            problem(f"page {number} prints template text near '{_around(text, text.index(token))}'", code="template-text")
    for title in bookmarks:
        if template_token(title) is not None:
            problem(f"the bookmark '{title}' holds template text", code="template-text")
    for key, value in metadata.items():
        if template_token(value) is not None:
            problem(f"the document's {key} (metadata) holds template text: '{value}'", code="template-text")
    flat = [normal(text).replace("\u00ad", "") for text in pages]
    for figure in recorded.get("figures", []):
        printed = normal(str(figure.get("printed", "")))
        for page in figure.get("pages", []):
            if not 1 <= page <= len(flat) or printed not in flat[page - 1]:
                problem(f"figure '{figure.get('name')}' ({printed}) is not on page {page}, where its proof found it",
                        code="printed-text")
    for exhibit in recorded.get("exhibits", []):
        page = exhibit.get("page")
        label = f"Exhibit {exhibit.get('number')}:"
        if page is not None and (not 1 <= page <= len(flat) or label not in flat[page - 1]):
            problem(f"{label} '{exhibit.get('title')}' is not on page {page}, where its proof found it", code="printed-text")
    return Audit(pdf, (*problems, *carried), recorded, embedded)


def _read(pdf: Path) -> tuple[list[str], list[str], dict[str, str]]:
    """Each page's text, the bookmarks' titles and the document information, as a PDF reader gets them."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        pages = []
        for page in document:
            text_page = page.get_textpage()
            pages.append(text_page.get_text_bounded())
            text_page.close()
            page.close()
        bookmarks = [item.get_title() for item in document.get_toc()]
        metadata = {key: str(value) for key, value in document.get_metadata_dict(skip_empty=True).items()}
    finally:
        document.close()
    return pages, bookmarks, metadata


def _around(text: str, at: int) -> str:
    return normal(text[max(0, at - 20): at + 30])
