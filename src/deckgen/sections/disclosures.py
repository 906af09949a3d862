"""Research disclosures: who wrote the brief and for whom, what they certify, their conflicts, the
prices quoted and when, when the brief went out, and who may receive it.

    - type: disclosures
      issuer: {regulator: Financial Conduct Authority (FRN 000000)}   # name: the brand's meta.name
      analysts:
        - {name: A. Analyst, title: Strategist, email: a.analyst@example.com, phone: "+44 20 0000 0000"}
      conflicts:
        - {issuer: Tokyo Electron, text: The issuer is not a client; no position is held.}
      views_statement: Thematic views, not ratings of individual securities; no price targets are set.
      views:                                   # and/or a view per instrument
        - {instrument: Tokyo Electron, view: Positive, since: 2026-01-05}
      prices: {table: prices, instrument: name, price: price, at: priced_at, venue: venue}   # priced_at: datetime
      disseminated: 2026-02-16T07:00:00+00:00
      restrictions: For professional investors in the UK and EU only. Not for distribution in the US.

A brief that names instruments or uses the words of a recommendation must carry this section
(``checks.disclosures: not-research`` says why one does not: see resolve); one that uses the words of a
recommendation ("highest conviction", "overweight") must also say what its views are: ``views`` (a view
per instrument) or ``views_statement`` (what kind of views the brief states, e.g. thematic views and no
ratings), so the wording in the text is never left unexplained by the disclosures.

The issuer is the brand's firm: without ``issuer.name`` the brief is issued in the name of the brand
(brand.yml ``meta.name``); a name that is not the brand's is refused (``issuer_problems``), so a
brief rebuilt with another brand never shows one firm on the masthead and another in the disclosures.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .base import Ref, SectionModel

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ().\-]{6,24}$")


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Analyst(_Part):
    name: str = Field(min_length=1, max_length=80)
    title: str | None = Field(default=None, max_length=80)
    entity: str | None = Field(default=None, max_length=120)
    email: str | None = None
    phone: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value):
        if value is not None and not _EMAIL.match(value):
            raise ValueError(f"'{value}' is not an email address")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value):
        if value is not None and not _PHONE.match(value):
            raise ValueError(f"'{value}' is not a phone number (digits, spaces, + ( ) . -)")
        return value


class Issuer(_Part):
    name: str | None = Field(default=None, min_length=1, max_length=160)  # default: the brand's meta.name
    regulator: str = Field(min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=200)


class Conflict(_Part):
    issuer: str = Field(min_length=1, max_length=120)
    text: str = Field(min_length=1)


class View(_Part):
    instrument: str = Field(min_length=1, max_length=120)
    view: str = Field(min_length=1, max_length=60)
    since: dt.date | None = None


class Prices(_Part):
    """A table of prices: which columns name the instrument, give the price and its time."""

    table: str
    instrument: str
    ticker: str | None = None  # a column with each instrument's ticker, shown beside its name
    price: str
    at: str  # the column with each price's date (type: date) or date, time and zone (type: datetime)
    currency: str | None = None  # a column with each price's currency, when they differ
    venue: str | None = None  # a column saying where or how each price was struck ("NASDAQ close"), shown after its time


class Disclosures(SectionModel):
    type: Literal["disclosures"]
    title: str = "Disclosures"
    issuer: Issuer
    analysts: list[Analyst] = Field(min_length=1, max_length=12)
    certification: str | None = None  # default: the analysts certify the views are their own
    conflicts: list[Conflict] = Field(default_factory=list)
    no_conflicts: str = "Neither the issuer nor the analysts hold positions in, or have business relationships with, the issuers named."
    views: list[View] = Field(default_factory=list)
    views_statement: str | None = None  # what kind of views (or ratings) the brief states, and what they are not
    prices: Prices | None = None
    disseminated: dt.datetime
    restrictions: str = Field(min_length=1)
    note: str | None = None  # e.g. that the people and entities named are illustrative

    @field_validator("disseminated")
    @classmethod
    def _with_zone(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("give the time zone of the dissemination time, e.g. 2026-02-16T07:00:00+00:00")
        return value

    def refs(self) -> Iterator[Ref]:
        if self.prices is not None:
            yield Ref(("prices", "table"), "table", self.prices.table)

    def prepare(self, report):
        if self.prices is None:
            return None
        from dataclasses import replace

        from ..tables import DataErrors, QueryError, check_column
        from .table import TableColumn, TableData

        table = report.tables[self.prices.table]
        errors, columns = [], []
        wanted = [("instrument", (), "Instrument")]
        if self.prices.ticker is not None:
            wanted.append(("ticker", ("text", "ticker"), "Ticker"))
        wanted.append(("price", ("number", "percent"), "Price"))
        if self.prices.currency is not None:
            wanted.append(("currency", ("text", "ticker"), "Currency"))
        wanted.append(("at", ("date", "datetime"), "Priced at"))
        if self.prices.venue is not None:
            wanted.append(("venue", ("text",), "Venue"))
        found = {}
        for key, kinds, label in wanted:
            try:
                column = check_column(table, getattr(self.prices, key), ("prices", key), kinds=kinds,
                                      purpose=f"prices: {key} needs")
                found[key] = column
                if key != "venue":
                    columns.append((column, TableColumn(key=column.name, label=label)))
            except QueryError as error:
                if key == "at" and "is text" in error.message:
                    error.hint = (f"declare it in the dataset's columns as {{type: datetime}} with cells such as "
                                  "2026-02-13 16:00 America/New_York, so the brief writes each time the way it "
                                  "writes dates (venue: names a column for notes such as 'NASDAQ close')")
                errors.append(error)
        if errors:
            raise DataErrors(errors)
        # the last cell holds the time and its venue, written out at render (no babel at validate)
        at, venue = table.index(found["at"].name), table.index(found["venue"].name) if "venue" in found else None
        columns[-1] = (replace(found["at"], kind="text"), columns[-1][1])
        positions = [table.index(column.name) for column, _ in columns[:-1]]
        return TableData(table, tuple(columns), tuple(
            (*(row[p] for p in positions), (row[at], row[venue] if venue is not None else None)) for row in table.rows))

    def _prices_written(self, prepared, locale: str):
        """The price table with each time as the body writes dates and times (by locale), then its venue."""
        from dataclasses import replace

        from ..formatting import format_date
        from ..tables import format_datetime

        kind = prepared.table.column(prepared.columns[-1][0].name).kind

        def when(cell) -> str | None:
            value, venue = cell
            if value is None:
                return None
            text = format_datetime(value, locale) if kind == "datetime" else format_date(value, locale)
            return f"{text} ({venue.replace(' ', chr(0xA0))})" if venue else text  # "(NASDAQ close)" stays whole

        prepared = replace(prepared, rows=tuple((*row[:-1], when(row[-1])) for row in prepared.rows))
        if self.prices.currency is None:
            return prepared
        price_at = 2 if self.prices.ticker is not None else 1  # columns: instrument, (ticker,) price, currency, time
        return self._in_own_currency(prepared, locale, price_at, price_at + 1)

    @staticmethod
    def _in_own_currency(prepared, locale: str, price_at: int, currency_at: int):
        """Each price with its own currency's minor units (USD 250.00, JPY 30,000); a price in any
        other unit ('%') keeps the column's decimals."""
        from dataclasses import replace

        from babel.numbers import get_currency_precision

        from ..formatting import decimals_of, format_number

        price_column, price_setting = prepared.columns[price_at]
        decimals = price_setting.decimals if price_setting.decimals is not None else price_column.decimals

        def written(row) -> tuple:
            value, code = row[price_at], row[currency_at]
            if value is None:
                return row
            digits = decimals_of(value, decimals)
            if isinstance(code, str) and len(code) == 3 and code.isalpha() and code.isupper():
                try:
                    digits = get_currency_precision(code)
                except Exception:  # not a currency babel knows: the column's decimals
                    pass
            text = format_number(value, None, locale, decimals=digits).replace(" ", "\u00a0")
            return (*row[:price_at], text, *row[price_at + 1:])

        columns = list(prepared.columns)
        columns[price_at] = (replace(price_column, kind="text"), price_setting.model_copy(update={"align": "right"}))
        return replace(prepared, columns=tuple(columns), rows=tuple(written(row) for row in prepared.rows))

    def certification_text(self) -> str:
        if self.certification:
            return self.certification
        everyone = [analyst.name for analyst in self.analysts]
        names = everyone[0] if len(everyone) == 1 else ", ".join(everyone[:-1]) + " and " + everyone[-1]
        return (f"{names} certif{'ies' if len(self.analysts) == 1 else 'y'} that the views expressed in this brief "
                "accurately reflect their personal views about the subjects and issuers discussed, and that no part "
                "of their compensation was, is or will be related to the specific views expressed in it.")

    def _analyst_widths(self, ctx) -> list[float]:
        """Analyst, entity and contact columns: the contact column as wide as the longest address or
        number (an address broken inside reads as a wrong one), up to half the width; the other two share
        the rest as 34:36."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        from ..render.measures import CELL_PADDING_X

        style = ctx.styles["cell"]
        contacts = [text for analyst in self.analysts for text in (analyst.email, analyst.phone) if text]
        widest = max((stringWidth(text, style.fontName, style.fontSize) for text in contacts), default=0.0)
        contact = min(max(0.30 * ctx.frame_width, widest + 2 * CELL_PADDING_X + 1), 0.5 * ctx.frame_width)
        rest = ctx.frame_width - contact
        return [rest * 34 / 70, rest * 36 / 70, contact]

    def render(self, ctx):
        from reportlab.platypus import Table

        from ..text import escape

        from reportlab.platypus import CondPageBreak

        text = "disclosure"
        issuer_name = self.issuer.name or ctx.theme.name
        opening = [ctx.heading(self.title, level=2)]
        if self.note:
            opening.append(ctx.paragraph(f"*{self.note}*", text))
        opening.append(ctx.heading("Analyst certification", level=3))
        # never a heading alone at a page foot: the headings (and note) go with the certification's first lines
        room = sum(sum(f.wrap(ctx.frame_width, 1000)[1:]) + f.getSpaceBefore() + f.getSpaceAfter() for f in opening)
        story = [CondPageBreak(room + 3 * ctx.styles[text].leading), *opening]
        story.append(ctx.paragraph(self.certification_text(), text))
        rows = [[ctx.paragraph(h, "header_cell") for h in ("Analyst", "Entity", "Contact")]]
        for analyst in self.analysts:
            contact = []
            if analyst.email:
                contact.append(f'<a href="mailto:{escape(analyst.email)}" color="{ctx.theme.primary}">{escape(analyst.email)}</a>')
            if analyst.phone:
                contact.append(escape(analyst.phone).replace(" ", "\u00a0"))
            who = escape(ctx.plain(analyst.name)) + (f"<br/>{escape(ctx.plain(analyst.title))}" if analyst.title else "")
            from ..render.paragraph import Paragraph

            rows.append([Paragraph(who, ctx.styles["cell"]), ctx.paragraph(analyst.entity or issuer_name, "cell"),
                         Paragraph("<br/>".join(contact) or "\u2013", ctx.styles["cell"])])
        widths = self._analyst_widths(ctx)
        table = ctx.kit.data_table(Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT"))
        table.setStyle(ctx.kit.table_style(ctx, len(rows)))
        story.append(table)
        story.append(ctx.heading("Issuer and regulation", level=3))
        issuer = f"Issued by {issuer_name}" + (f", {self.issuer.address}" if self.issuer.address else "") + \
            f". Regulated by {self.issuer.regulator}."
        story.append(ctx.paragraph(issuer, text))
        story.append(ctx.heading("Conflicts of interest", level=3))
        if self.conflicts:
            for conflict in self.conflicts:
                story.append(ctx.paragraph(f"**{conflict.issuer}:** {conflict.text}", text))
        else:
            story.append(ctx.paragraph(self.no_conflicts, text))
        if self.views or self.views_statement:
            story.append(ctx.heading("Views", level=3))
            if self.views_statement:
                story.append(ctx.paragraph(self.views_statement, text))
            for view in self.views:
                since = f" (since {ctx.date(view.since)})" if view.since else ""
                story.append(ctx.paragraph(f"**{view.instrument}:** {view.view}{since}", text))
        loose = set()
        if ctx.prepared is not None:
            # the heading goes with the table's header and first rows, not the whole table: a long price
            # table flows on to the next page (header repeated) rather than leave a band of white
            heading = ctx.heading("Prices", level=3)
            block, first_rows = ctx.kit.table_block(ctx, self._prices_written(ctx.prepared, ctx.report.spec.locale),
                                                    continued=ctx.kit.continued_title(heading))
            _, heading_height = heading.wrap(ctx.frame_width, 1000)
            story += [CondPageBreak(heading_height + first_rows + 8), heading, *block]
            loose.add(id(heading))
        story.append(ctx.heading("Dissemination and distribution", level=3))
        from ..tables import format_datetime

        stamp = format_datetime(self.disseminated.astimezone(dt.timezone.utc), ctx.report.spec.locale)
        story.append(ctx.paragraph(f"First disseminated {stamp}. {self.restrictions}", text))
        return _headings_kept(story, loose)


def _headings_kept(story: list, loose: set = frozenset()) -> list:
    """Each sub-heading kept with what follows it: never a heading alone at the foot of a page
    (``loose``: ids of headings a page break before them already keeps with what follows)."""
    from reportlab.platypus import KeepTogether, Paragraph

    kept: list = []
    index = 0
    while index < len(story):
        item = story[index]
        if isinstance(item, Paragraph) and item.style.name == "h3" and index + 1 < len(story) and id(item) not in loose:
            kept.append(KeepTogether([item, story[index + 1]]))
            index += 2
            continue
        kept.append(item)
        index += 1
    return kept


def _words(name: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", name.casefold()))


def names_firm(name: str, brand_name: str) -> bool:
    """Whether ``name`` names the brand's firm: it contains the brand's name, word for word (it may add
    to it, "Meridian Pacific Research Ltd", never replace it). A brand with no name matches anything."""
    wanted = _words(brand_name)
    return not wanted or f" {wanted} " in f" {_words(name)} "


def issuing_firm(spec, brand_name: str) -> str:
    """The firm that issues the brief: the disclosures' issuer name, else the brand's name ('' if neither)."""
    for section in spec.sections:
        if section.type == "disclosures" and section.issuer.name:
            return section.issuer.name
    return brand_name.strip()


def brand_shown(loaded) -> str:
    """How the brief's brand was chosen, for messages: '--set brand=...' or 'brand: ../assets/brand.yml'."""
    return loaded.document.overridden.get(("brand",)) or f"brand: {loaded.spec.brand}"


def issuer_problems(loaded, brand_name: str, brand_shown: str) -> list:
    """The disclosures' issuer against the brand the brief is built with: one located problem per
    disclosures section whose issuer is not the brand's firm (or that names none, with a brand that has
    no name). The issuer's name may add to the brand's ("Meridian Pacific Research Ltd" for the brand
    "Meridian Pacific Research"), never replace it."""
    from ..errors import Problem

    problems = []
    for index, section in enumerate(loaded.spec.sections):
        if section.type != "disclosures":
            continue
        name = section.issuer.name
        if name is None:
            if not brand_name.strip():
                problems.append(Problem.at(
                    loaded.mark(("sections", index, "issuer"), key=True),
                    f"the disclosures name no issuer and the brand ({brand_shown}) has no meta.name to issue it in",
                    "give issuer: name: (the firm that issues the brief) or the brand's meta: name:", code="disclosures"))
            continue
        if not names_firm(name, brand_name):
            problems.append(Problem.at(
                loaded.mark(("sections", index, "issuer", "name")),
                f"the disclosures say the brief is issued by '{name}' but it is built with the brand '{brand_name}' "
                f"({brand_shown}), whose name the masthead and footer show",
                f"remove issuer: name: to issue it in the brand's name, give a name that contains '{brand_name}', "
                "or build with the issuer's own brand", code="disclosures"))
    return problems
