"""reportlab's Paragraph, broken into lines once per width."""

from __future__ import annotations

from reportlab.platypus import Paragraph as _ReportlabParagraph
from reportlab.platypus.paragraph import _FUZZ

from ..proof.lines import normal
from ..proof.record import new_key


class Paragraph(_ReportlabParagraph):
    """Layout asks a paragraph for its size again and again at one width: a KeepTogether measures its
    content and the frame then measures each piece; a long table's header row, and the notes kept with
    its last rows, are measured at every page the table is split at. reportlab breaks the lines anew
    each time (3,500 of the 4,300 line breakings of the 250-page benchmark brief, a tenth of its
    build). The lines are kept while the width, the text and the style are those they were broken for,
    and nothing has replaced them."""

    def wrap(self, availWidth, availHeight):
        if "_tag_plain" not in self.__dict__ and getattr(self.style, "hyphenationLang", None):
            self._tag_plain = normal(self.getPlainText())  # the text before hyphenation adds its hyphens to it
        kept = self.__dict__.get("_broken_for")
        if (kept is not None and kept[0] == availWidth and kept[1] is self.frags and kept[2] is self.style
                and kept[3] is self.__dict__.get("blPara")):
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        if "blPara" in self.__dict__ and availWidth >= _FUZZ:  # narrower: reportlab answers "no room", breaks nothing
            self._broken_for = (availWidth, self.frags, self.style, self.blPara)
        else:
            self.__dict__.pop("_broken_for", None)
        return size

    def drawOn(self, canvas, x, y, _sW=0):
        laid_out = getattr(canvas, "_proof", None)
        if laid_out is not None:
            laid_out.paragraph(self, canvas)
        return super().drawOn(canvas, x, y, _sW)

    def split(self, availWidth, availHeight):
        """The parts of a paragraph split across pages are one text for the proof."""
        parts = super().split(availWidth, availHeight)
        if len(parts) > 1:
            if "_proof_key" not in self.__dict__:
                self._proof_key = new_key()
            kept = {name: value for name, value in self.__dict__.items() if name.startswith("_proof_")}
            for part in parts:
                part.__dict__.update(kept)
        return parts
