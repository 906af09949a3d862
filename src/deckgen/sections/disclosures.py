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
      distribution: [UK, EEA]                  # each jurisdiction's legend from deckgen.legends
      methodology: {text: "Views rest on ...", url: "https://example.com/methodology", section: method}
      horizon: 12 months                       # the time horizon of the views
      updates: Monthly, and whenever a view changes
      history: {table: view_history, date: date, instrument: instrument, view: view, price: price, currency: currency}
      coverage: {table: coverage, view: view, banking: banking}   # the distribution of views, computed

The brief's classification (``classification:`` at the top of the spec) heads the disclosures; research
(see ``resolve._check_disclosures``) without one is refused, and research whose disclosures lack an item
of the Market Abuse Regulation's Delegated Regulation (EU) 2016/958 (methodology, horizon, updates,
history, coverage) is warned about.

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
from dataclasses import dataclass
from typing import Annotated, Any, Iterator, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..legends import CAPITAL_AT_RISK, MAX_JURISDICTIONS, jurisdiction_problem
from .base import Ref, SectionModel

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ().\-]{6,24}$")
_ADDRESS = re.compile(r"^https?://[^\s<>\"']+$")
HISTORY_MONTHS = 12  # Delegated Regulation (EU) 2016/958, Article 6(3): the views of the past 12 months


class _Part(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True, str_strip_whitespace=True)


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
    """The firm that issues the brief, as its regulatory status line names it: 'Issued by Harbor Lane
    Capital LLP, 1 Example Street, London. Authorised and regulated by the Financial Conduct Authority.'"""

    name: str | None = Field(default=None, min_length=1, max_length=160)  # default: the brand's meta.name
    # the legal form the issuing entity's name ends in (LLP, Ltd, SA), so the status line names the legal
    # entity while the brief is still issued in the name of the brand it is built with
    legal_form: str | None = Field(default=None, min_length=1, max_length=40)
    regulator: str = Field(min_length=1, max_length=200)
    authorised: bool = False  # the regulator authorised the firm as well as regulating it (UK: the FCA)
    address: str | None = Field(default=None, min_length=1, max_length=200)  # the registered address

    def entity(self, brand_name: str) -> str:
        """The issuing legal entity: the issuer's (or brand's) name with its legal form."""
        name = (self.name or brand_name).strip()
        if self.legal_form and not name.endswith(f" {self.legal_form}"):
            name = f"{name} {self.legal_form}"
        return name

    def status_line(self, brand_name: str) -> str:
        """'Issued by X LLP, 1 Example Street, London. Authorised and regulated by the ...'"""
        where = f", {self.address}" if self.address else ""
        regulated = "Authorised and regulated" if self.authorised else "Regulated"
        return f"Issued by {self.entity(brand_name)}{where}. {regulated} by {self.regulator.rstrip('.')}."

    def missing_for_uk_eea(self) -> list[str]:
        """What the status line lacks for a brief distributed in the UK or the EEA: the legal entity
        (a name or legal form of its own, not only the brand's name) and the registered address."""
        missing = [] if (self.name or self.legal_form) else ["legal entity (name: or legal_form:)"]
        return missing + ([] if self.address else ["registered address (address:)"])


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


def _known_jurisdiction(code: str) -> str:
    problem = jurisdiction_problem(code)
    if problem is not None:
        message, hint = problem
        raise PydanticCustomError("jurisdiction", message, {"hint": hint})
    return code


Jurisdiction = Annotated[str, AfterValidator(_known_jurisdiction)]


def once_each(value: list[str]) -> list[str]:
    """A distribution list names each jurisdiction once."""
    repeated = sorted({code for code in value if value.count(code) > 1})
    if repeated:
        raise PydanticCustomError("repeated", "distribution names {codes} more than once",
                                  {"codes": ", ".join(repeated), "hint": "name each jurisdiction once"})
    return value


class Methodology(_Part):
    """Where the valuation or methodology behind the views is described: in words, at an address, in a
    section of this brief (by its id), or any of these together."""

    text: str | None = Field(default=None, min_length=1, max_length=2000)
    url: str | None = Field(default=None, max_length=500)
    section: str | None = Field(default=None, min_length=1, max_length=80)  # a section id of this brief

    @field_validator("url")
    @classmethod
    def _address(cls, value):
        if value is not None and not _ADDRESS.match(value):
            raise ValueError(f"'{value}' is not a web address (https://...)")
        return value

    @model_validator(mode="after")
    def _something(self):
        if self.text is None and self.url is None and self.section is None:
            raise PydanticCustomError("methodology", "methodology says nothing",
                                      {"hint": "give text: (the basis in words), url: (where it is published) or "
                                               "section: (the id of the section of this brief that describes it)"})
        return self


class History(_Part):
    """A table of the views of the past 12 months: which columns give each view's date, instrument, view
    and the price at the time."""

    table: str
    date: str
    instrument: str
    view: str
    price: str
    currency: str | None = None  # a column with each price's currency, when they differ


class Coverage(_Part):
    """A table of the desk's coverage, one row per instrument or issuer covered: its current view and,
    optionally, whether the firm provided it investment-banking services (yes/no) in the past 12 months."""

    table: str
    view: str
    banking: str | None = None
    scale: list[str] | None = Field(default=None, min_length=1, max_length=12)  # the views, in order; e.g.
    # [Buy, Hold, Sell]: each shown (none covered: 0) and no other allowed; default: the views found, in order


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
    # when production of the brief was completed and when it was first disseminated, each with its zone
    completed: dt.datetime | None = None
    disseminated: dt.datetime
    # whether the brief was disclosed to the issuers it concerns before dissemination and, if so, amended after
    disclosed_to_issuers: bool | None = None
    amended_after_disclosure: bool | None = None
    restrictions: str = Field(min_length=1)
    note: str | None = None  # e.g. that the people and entities named are illustrative
    distribution: list[Jurisdiction] = Field(default_factory=list, max_length=MAX_JURISDICTIONS)
    methodology: Methodology | None = None  # MAR: where the valuation or methodology basis is described
    horizon: str | None = Field(default=None, min_length=1, max_length=200)  # the time horizon of the views
    updates: str | None = Field(default=None, min_length=1, max_length=200)  # how often the views are updated
    history: History | None = None  # the views of the past 12 months, from a table
    coverage: Coverage | None = None  # the distribution of views across the desk's coverage, computed
    capital_at_risk: str = Field(default=CAPITAL_AT_RISK, min_length=1, max_length=400)  # printed near views

    @field_validator("distribution")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return once_each(value)

    @field_validator("completed", "disseminated")
    @classmethod
    def _with_zone(cls, value: dt.datetime | None, info) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            what = "completion" if info.field_name == "completed" else "dissemination"
            raise ValueError(f"give the time zone of the {what} time, e.g. 2026-02-16T07:00:00+00:00")
        return value

    def refs(self) -> Iterator[Ref]:
        if self.prices is not None:
            yield Ref(("prices", "table"), "table", self.prices.table)
        if self.history is not None:
            yield Ref(("history", "table"), "table", self.history.table)
        if self.coverage is not None:
            yield Ref(("coverage", "table"), "table", self.coverage.table)

    def prepare(self, report):
        from ..tables import DataErrors, QueryError

        errors, parts = [], {}
        for name, build in (("prices", self._prepare_prices), ("history", self._prepare_history),
                            ("distribution", self._prepare_distribution)):
            try:
                parts[name] = build(report)
            except DataErrors as error:
                errors += error.errors
            except QueryError as error:
                errors.append(error)
        if errors:
            raise DataErrors(errors)
        return DisclosuresData(**parts) if any(parts.values()) else None

    def _prepare_history(self, report):
        """The views of the 12 months to the brief's date, newest first: date, instrument, view, price."""
        if self.history is None:
            return None
        from ..tables import DataErrors, QueryError, check_column
        from .table import TableColumn, TableData

        table, history = report.tables[self.history.table], self.history
        wanted = [("date", ("date", "datetime"), "Date"), ("instrument", ("text", "ticker"), "Instrument"),
                  ("view", ("text",), "View"), ("price", ("number", "percent"), "Price at the time")]
        if history.currency is not None:
            wanted.append(("currency", ("text", "ticker"), "Currency"))
        errors, columns = [], []
        for key, kinds, label in wanted:
            try:
                column = check_column(table, getattr(history, key), ("history", key), kinds=kinds,
                                      purpose=f"history: {key} needs")
                columns.append((column, TableColumn(key=column.name, label=label)))
            except QueryError as error:
                errors.append(error)
        if errors:
            raise DataErrors(errors)
        end = report.spec.date
        start = _months_before(end, HISTORY_MONTHS)
        positions = [table.index(column.name) for column, _ in columns]
        at = positions[0]

        def day(value):
            return value.date() if isinstance(value, dt.datetime) else value

        rows = [row for row in table.rows if row[at] is not None and start < day(row[at]) <= end]
        rows.sort(key=lambda row: day(row[at]), reverse=True)
        return TableData(table, tuple(columns), tuple(tuple(row[p] for p in positions) for row in rows))

    def _prepare_distribution(self, report):
        """How the coverage's views are spread: per view, the issuers covered, their share and (with a
        banking column) the share of them the firm provided investment-banking services."""
        if self.coverage is None:
            return None
        from ..tables import DataErrors, QueryError, check_column

        table, coverage = report.tables[self.coverage.table], self.coverage
        errors = []
        for key in ("view", "banking"):
            if getattr(coverage, key) is None:
                continue
            try:
                check_column(table, getattr(coverage, key), ("coverage", key), kinds=("text",),
                             purpose=f"coverage: {key} needs")
            except QueryError as error:
                errors.append(error)
        if errors:
            raise DataErrors(errors)
        views = table.values(coverage.view)
        banking = table.values(coverage.banking) if coverage.banking else [None] * len(views)
        counts: dict[str, list[int]] = {}
        for row, (view, provided) in enumerate(zip(views, banking)):
            if view is None:
                continue
            answer = None
            if coverage.banking is not None:
                answer = _YES_NO.get(str(provided).strip().casefold()) if provided is not None else None
                if answer is None:
                    line = f" (line {table.lines[row]})" if table.lines else ""
                    raise QueryError(("coverage", "banking"),
                                     f"column '{coverage.banking}' of table '{table.name}' says '{provided or ''}'{line}, "
                                     "not whether investment-banking services were provided",
                                     "write yes or no in each row")
            if coverage.scale is not None and view not in coverage.scale:
                line = f" (line {table.lines[row]})" if table.lines else ""
                raise QueryError(("coverage", "scale"),
                                 f"table '{table.name}' gives the view '{view}'{line}, which is not in scale: "
                                 f"{', '.join(coverage.scale)}", f"add '{view}' to scale: or correct the row")
            tally = counts.setdefault(view, [0, 0])
            tally[0] += 1
            tally[1] += 1 if answer else 0
        if coverage.scale is not None:
            counts = {view: counts.get(view, [0, 0]) for view in coverage.scale}
        if not any(count for count, _ in counts.values()):
            raise QueryError(("coverage", "table"), f"table '{table.name}' has no view to count",
                             f"give each instrument or issuer covered a row with its view in column '{coverage.view}'")
        return ViewDistribution(table, tuple((view, n, banked) for view, (n, banked) in counts.items()),
                                coverage.banking is not None)

    def _prepare_prices(self, report):
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

    def dissemination_statements(self, locale: str) -> list[str]:
        """When production was completed and the brief first disseminated (in UTC, written the locale's
        way), and whether it was shown to the issuers it concerns first (Delegated Regulation (EU)
        2016/958, Articles 3(1)(e) and 4(1)(a))."""
        from ..tables import format_datetime

        def utc(value: dt.datetime) -> str:
            return format_datetime(value.astimezone(dt.timezone.utc), locale)

        said = []
        if self.completed is not None:
            said.append(f"Production completed {utc(self.completed)}.")
        said.append(f"First disseminated {utc(self.disseminated)}.")
        if self.disclosed_to_issuers is False:
            said.append("This brief was not disclosed to any issuer before its dissemination.")
        elif self.disclosed_to_issuers:
            said.append("This brief was disclosed to the issuers it concerns before its dissemination"
                        + (" and was amended after that disclosure." if self.amended_after_disclosure else
                           "; it was not amended after that disclosure."))
        return said

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
        classification = classification_statement(ctx.report.spec)
        if classification:
            opening.append(ctx.paragraph(classification, text))
        if self.note:
            opening.append(ctx.paragraph(f"*{self.note}*", text))
        certification = ctx.heading("Analyst certification", level=3)
        opening.append(certification)
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

            rows.append([Paragraph(who, ctx.styles["cell"]), ctx.paragraph(analyst.entity or self.issuer.entity(ctx.theme.name), "cell"),
                         Paragraph("<br/>".join(contact) or "\u2013", ctx.styles["cell"])])
        widths = self._analyst_widths(ctx)
        table = ctx.kit.data_table(Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT"))
        table.setStyle(ctx.kit.table_style(ctx, len(rows)))
        story += ctx.kit.kept_whole([table], len(rows) - 1)
        story.append(ctx.heading("Issuer and regulation", level=3))
        story.append(ctx.paragraph(self.issuer.status_line(ctx.theme.name), text))
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
            warning = capital_at_risk(ctx, self)  # its Views part may be pages after the section before
            if warning is not None:
                story.append(warning)
        if self.methodology is not None:
            story.append(ctx.heading("Valuation and methodology", level=3))
            story.append(self._methodology_paragraph(ctx))
        if self.horizon or self.updates:
            story.append(ctx.heading("Time horizon and updates", level=3))
            said = []
            if self.horizon:
                said.append(f"The views in this brief have a time horizon of {_sentence_part(self.horizon)}.")
            if self.updates:
                said.append(f"They are updated {_sentence_part(self.updates)}.")
            story.append(ctx.paragraph(" ".join(said), text))
        loose = set()
        prepared = ctx.prepared if isinstance(ctx.prepared, DisclosuresData) else DisclosuresData()
        locale = ctx.report.spec.locale
        if prepared.history is not None and prepared.history.rows:
            story += self._table_under(ctx, "Views in the past 12 months", self._history_written(prepared.history, locale),
                                       loose)
        elif prepared.history is not None:
            story.append(ctx.heading("Views in the past 12 months", level=3))
            story.append(ctx.paragraph(f"No view was published in the {HISTORY_MONTHS} months to "
                                       f"{ctx.date(ctx.report.spec.date)}.", text))
        if prepared.distribution is not None:
            story += self._table_under(ctx, "Distribution of views", _distribution_written(prepared.distribution, locale),
                                       loose)
        if prepared.prices is not None:
            story += self._table_under(ctx, "Prices", self._prices_written(prepared.prices, locale), loose)
        story.append(ctx.heading("Dissemination and distribution", level=3))
        from ..legends import JURISDICTIONS, copyright_line

        story.append(ctx.paragraph(" ".join([*self.dissemination_statements(locale), self.restrictions]), text))
        for code in self.distribution:
            name, legend = JURISDICTIONS[code]
            story.append(ctx.paragraph(f"**{name}.** {legend}", text))
        story.append(ctx.heading("Copyright", level=3))
        story.append(ctx.paragraph(copyright_line(ctx.report.spec.date.year, issuer_name), text))
        story = _headings_kept(story, loose)
        mark_target(ctx, story, certification, certification_key(ctx.report.spec))
        return story

    def _table_under(self, ctx, title: str, data, loose: set) -> list:
        """A sub-heading over a table of data, set as every table is (``kit.titled_table``): a short table
        moves whole with its heading and source; a long one flows on (header repeated), the heading kept
        with its first rows."""
        heading = ctx.heading(title, level=3)
        loose.add(id(heading))
        return ctx.kit.titled_table(ctx, heading, data)

    def _methodology_paragraph(self, ctx):
        from ..text import escape

        basis = self.methodology
        parts = [ctx.markup(basis.text, "disclosure")] if basis.text else []
        where = []
        if basis.section is not None:
            index, section = next((i, s) for i, s in enumerate(ctx.report.spec.sections) if s.id == basis.section)
            title = ctx.plain(section.heading() or section.id)
            where.append(f'the section “<a href="#{escape(section.anchor(index))}" color="{ctx.theme.link_color}">'
                         f'{escape(title)}</a>” of this brief')
        if basis.url is not None:
            where.append(f'<a href="{escape(basis.url)}" color="{ctx.theme.link_color}">{escape(basis.url)}</a>')
        if where:
            parts.append(("The valuation and methodology basis is described in " if not basis.text else "See ")
                         + " and at ".join(where) + ".")
        from ..render.paragraph import Paragraph

        return Paragraph(" ".join(parts), ctx.styles["disclosure"])

    def history_gap(self, table, report_date: dt.date) -> tuple[str, str] | None:
        """(what is wrong, how to fix it) when the history table has no view dated in the 12 months to
        ``report_date``; None when it has one (or its date column is not there: its own error says so)."""
        if self.history is None or table is None or self.history.date not in table.column_names:
            return None
        start = _months_before(report_date, HISTORY_MONTHS)
        for value in table.values(self.history.date):
            day = value.date() if isinstance(value, dt.datetime) else value
            if isinstance(day, dt.date) and start < day <= report_date:
                return None
        return (f"table '{table.name}' has no view dated in the {HISTORY_MONTHS} months to the brief's date "
                f"({report_date.isoformat()}), so the brief lists none",
                f"give each view of the past {HISTORY_MONTHS} months a row, dated after {start.isoformat()}")

    def _history_written(self, prepared, locale: str):
        """The views of the past 12 months with each price in its own currency's minor units."""
        if self.history.currency is None:
            return prepared
        return self._in_own_currency(prepared, locale, 3, 4)


def _sentence_part(text: str) -> str:
    """A key's text inside a sentence: its first letter lower case (unless an acronym) and no final stop."""
    text = text.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def _distribution_written(distribution: "ViewDistribution", locale: str):
    """The distribution of views as a table: view, instruments covered, share of coverage and, with the
    coverage's banking column, the share of each view's issuers that were investment-banking clients."""
    from ..formatting import format_number
    from ..tables import Column, Table
    from .table import TableColumn, TableData
    from decimal import Decimal

    def share(part: int, whole: int) -> str:
        return format_number(Decimal(100 * part) / Decimal(whole), None, locale, decimals=0) + "%" if whole else "\u2013"

    total = distribution.total
    columns = [(Column("view", "text", label="View"), TableColumn(key="view", label="View")),
               (Column("count", "text"), TableColumn(key="count", label="Instruments covered", align="right")),
               (Column("share", "text"), TableColumn(key="share", label="Share of coverage", align="right"))]
    if distribution.banking:
        columns.append((Column("banking", "text"),
                        TableColumn(key="banking", label="Of which investment-banking clients", align="right")))
    rows = []
    for view, count, banked in distribution.rows:
        row = [view, format_number(Decimal(count), None, locale, decimals=0), share(count, total)]
        if distribution.banking:
            row.append(share(banked, count))
        rows.append(tuple(row))
    source = distribution.table
    table = Table(source.name, source.path, tuple(column for column, _ in columns), tuple(rows), (), source.source,
                  source.as_of)
    return TableData(table, tuple(columns), tuple(rows))


def mark_target(ctx, story: list, flowable, key: str | None) -> None:
    """Put a page target for ``key`` just before ``flowable`` (a sub-heading), inside the group that keeps
    it with what follows, so the target lands on the page the heading does."""
    targets = getattr(ctx, "page_targets", None)
    if targets is None or key is None:
        return
    from reportlab.platypus import KeepTogether

    from ..render.pagerefs import PageTarget

    for position, item in enumerate(story):
        if item is flowable:
            story.insert(position, PageTarget(targets, key))
            return
        if isinstance(item, KeepTogether) and item._content and item._content[0] is flowable:
            item._content.insert(0, PageTarget(targets, key))
            return


def certification_key(spec) -> str | None:
    """The link target of the first disclosures section's analyst certification (None: no disclosures)."""
    for index, section in enumerate(spec.sections):
        if section.type == "disclosures":
            return f"{section.anchor(index)}-certification"
    return None


@dataclass(frozen=True)
class CoverReference:
    """What the cover's "See page N for ..." names: the link target, the words after "for", and how the
    link is described to a screen reader."""

    key: str
    what: str
    description: str


def cover_reference(spec) -> CoverReference | None:
    """The cover's reference to the small print: the analyst certification of the disclosures when the
    brief has them; else, for a classified brief (a marketing communication), the disclaimer that carries
    its classification statement and distribution legends. None: nothing to refer to."""
    key = certification_key(spec)
    if key is not None:
        return CoverReference(key, "the analyst certification and important disclosures",
                              "Go to the section Analyst certification, in the disclosures")
    if spec.classification is None:
        return None
    for index, section in enumerate(spec.sections):
        if section.type == "disclaimer":
            return CoverReference(f"{section.anchor(index)}-notice", "important disclosures",
                                  f"Go to the section {section.title}")
    return None


def classification_statement(spec) -> str | None:
    """The classification as the disclosures (or, without them, the disclaimer) state it."""
    from ..legends import CLASSIFICATION_LABELS, CLASSIFICATION_STATEMENTS

    if spec.classification is None:
        return None
    return f"**Classification: {CLASSIFICATION_LABELS[spec.classification].lower()}.** " \
        f"{CLASSIFICATION_STATEMENTS[spec.classification]}"


def carries_capital_at_risk(section) -> bool:
    """Whether ``section`` prints 'Capital at risk.' (with disclosures in the brief): a view on an
    instrument stands in it."""
    if section.type == "implications":
        return any(item.exposure for item in section.items)
    if section.type == "disclosures":
        return bool(section.views or section.views_statement)
    return section.type == "instrument_table"


def capital_at_risk(ctx, disclosures: "Disclosures | None" = None, section=None):
    """'Capital at risk.' (the disclosures' wording, in their text style), set next to a view on an
    instrument; None when the brief has no disclosures (it is not research), or when the section just
    before ``section`` in the flow printed it: one warning for a run of such sections, not one under
    each (chosen from the spec, not from where pages break, so both layout passes agree)."""
    spec = ctx.report.spec
    if disclosures is None:
        disclosures = next((s for s in spec.sections if s.type == "disclosures"), None)
    if disclosures is None:
        return None
    if section is not None:
        in_flow = [s for s in spec.sections if not s.railed]
        at = next((i for i, s in enumerate(in_flow) if s is section), None)
        if at and carries_capital_at_risk(in_flow[at - 1]):
            return None
    text = disclosures.capital_at_risk
    first, dot, rest = text.partition(". ")
    return notice(ctx, f"**{first}.** {rest}" if dot else f"**{text}**")


def notice(ctx, text: str, markup: bool = True, style: str = "disclosure"):
    """Regulatory wording, its words never broken at a line end (the statement is read as written):
    ``text`` in the brief's markup, or (``markup=False``) reportlab markup already. Set in the one
    disclosure style the disclosures, the disclaimer and the legends share, unless ``style`` says otherwise."""
    from ..render.paragraph import Paragraph

    whole = ctx.styles[style].clone(f"notice_{style}", hyphenationLang="", embeddedHyphenation=0)
    paragraph = Paragraph(ctx.markup(text, style) if markup else ctx.fonts.glyph_fallback(text), whole)
    if markup:
        paragraph._proof_source = text
    return paragraph


def cover_statement(ctx) -> list:
    """A marketing communication's full MiFID II statement (Article 36(2) of Delegated Regulation (EU)
    2017/565), at body size on the cover under its classification, so the reader meets it before the
    content; the back repeats it with the legends. Nothing for research or an unclassified brief."""
    if ctx.report.spec.classification != "marketing-communication":
        return []
    from ..legends import MARKETING_COMMUNICATION

    return [notice(ctx, MARKETING_COMMUNICATION, style="body")]


def classification_label(spec) -> str | None:
    """The classification as the cover's masthead names it ("Investment research", "Marketing
    communication"); the disclosures (or the disclaimer) give the full statement."""
    from ..legends import CLASSIFICATION_LABELS

    return CLASSIFICATION_LABELS[spec.classification] if spec.classification else None


def cover_notice(ctx) -> list:
    """The cover's line under the title: 'See page N for the analyst certification and important
    disclosures.', N the page the certification lands on after layout, linked to it; a classified brief
    without disclosures refers to its disclaimer ('See page N for important disclosures.'); nothing
    otherwise (see ``cover_reference``)."""
    from ..text import escape

    reference = cover_reference(ctx.report.spec)
    targets = getattr(ctx, "page_targets", None)
    if reference is None or targets is None:
        return []
    from ..render.pagerefs import PageReference

    colour, key = ctx.theme.link_color, reference.key

    def make(page: int | None):
        return notice(ctx, f'<a href="#{escape(key)}" color="{colour}">See page {page or 0} for '
                           f"{escape(reference.what)}.</a>", markup=False, style="small")

    return [PageReference(targets, key, make)]


_YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day where it is shorter: 31 March -> 30 Sept)."""
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class ViewDistribution:
    """The distribution of views across the coverage: (view, instruments covered, of which banking clients)."""

    table: Any  # tables.Table: the coverage dataset, for its source and date
    rows: tuple[tuple[str, int, int], ...]
    banking: bool  # whether the coverage says which were banking clients

    @property
    def total(self) -> int:
        return sum(count for _, count, _ in self.rows)


@dataclass(frozen=True)
class DisclosuresData:
    """What the disclosures prepared: the price table, the views of the past 12 months, their distribution."""

    prices: Any = None  # TableData
    history: Any = None  # TableData
    distribution: ViewDistribution | None = None

    @property
    def parts(self) -> tuple:
        """The tables shown, for the checks that read every table (precision)."""
        return tuple(part for part in (self.prices, self.history) if part is not None)


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


def _issuers(spec) -> Iterator[Issuer]:
    """The issuers the brief's sections state: its disclosures' first, then its disclaimer's."""
    for kind in ("disclosures", "disclaimer"):
        for section in spec.sections:
            if section.type == kind and section.issuer is not None:
                yield section.issuer


def brief_issuer(spec) -> Issuer | None:
    """The issuer the brief names: its disclosures', else its disclaimer's (None if neither names one)."""
    return next(_issuers(spec), None)


def issuing_firm(spec, brand_name: str) -> str:
    """The firm that issues the brief: the disclosures' issuer name, else the disclaimer's, else the
    brand's name ('' if none)."""
    return next((issuer.name for issuer in _issuers(spec) if issuer.name), brand_name.strip())


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
        if section.type not in ("disclosures", "disclaimer") or section.issuer is None:
            continue
        name = section.issuer.name
        names, says = ("name", "say") if section.type == "disclosures" else ("names", "says")
        if name is None:
            if not brand_name.strip():
                problems.append(Problem.at(
                    loaded.mark(("sections", index, "issuer"), key=True),
                    f"the {section.type} {names} no issuer and the brand ({brand_shown}) has no meta.name to issue it in",
                    "give issuer: name: (the firm that issues the brief) or the brand's meta: name:", code="disclosures"))
            continue
        if not names_firm(name, brand_name):
            problems.append(Problem.at(
                loaded.mark(("sections", index, "issuer", "name")),
                f"the {section.type} {says} the brief is issued by '{name}' but it is built with the brand '{brand_name}' "
                f"({brand_shown}), whose name the masthead and footer show",
                f"remove issuer: name: to issue it in the brand's name, give a name that contains '{brand_name}', "
                "or build with the issuer's own brand", code="disclosures"))
    return problems
