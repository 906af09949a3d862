"""The standard wording a research brief carries: its classification (MiFID II), the distribution
legend of each jurisdiction it may be sent to, the capital-at-risk warning and the copyright line.

One place holds the library, so a desk's compliance team reviews and maintains each text once and every
brief that names a jurisdiction prints the same words. The legends are generic statements of who may
receive the brief under each jurisdiction's rules; a firm adds its own licences in ``restrictions``.
No reportlab or matplotlib here: validate reads the codes.
"""

from __future__ import annotations

import difflib

CLASSIFICATIONS = ("investment-research", "marketing-communication")

CLASSIFICATION_LABELS = {
    "investment-research": "Investment research",
    "marketing-communication": "Marketing communication",
}

# Article 36(2) of Commission Delegated Regulation (EU) 2017/565: a recommendation that is not investment
# research is clearly identified as a marketing communication and says so, in these words.
MARKETING_COMMUNICATION = (
    "This is a marketing communication. It has not been prepared in accordance with legal requirements designed "
    "to promote the independence of investment research and is not subject to any prohibition on dealing ahead "
    "of the dissemination of investment research."
)

INVESTMENT_RESEARCH = (
    "This brief is investment research within the meaning of Article 36(1) of Commission Delegated "
    "Regulation (EU) 2017/565, prepared under the issuer’s policies for managing conflicts of interest in "
    "investment research."
)

CLASSIFICATION_STATEMENTS = {
    "investment-research": INVESTMENT_RESEARCH,
    "marketing-communication": MARKETING_COMMUNICATION,
}

CAPITAL_AT_RISK = (
    "Capital at risk. The value of investments and the income from them can fall as well as rise, and "
    "investors may get back less than they invested."
)

# (the jurisdiction's name as printed, its legend)
JURISDICTIONS: dict[str, tuple[str, str]] = {
    "UK": ("United Kingdom", (
        "In the United Kingdom this brief is directed only at professional clients and eligible counterparties "
        "as defined in the rules of the Financial Conduct Authority (FCA). It is not for retail clients, and "
        "any investment or service to which it relates is available only to those persons.")),
    "EEA": ("European Economic Area", (
        "In the European Economic Area this brief is directed only at professional clients and eligible "
        "counterparties within the meaning of Directive 2014/65/EU (MiFID II). It is not intended for, and "
        "should not be relied on by, retail clients.")),
    "US-institutional": ("United States", (
        "In the United States this brief is distributed only to major US institutional investors as defined "
        "in Rule 15a-6 under the US Securities Exchange Act of 1934. A recipient that wishes to effect a "
        "transaction in any security discussed should do so through a US-registered broker-dealer.")),
    "HK": ("Hong Kong", (
        "In Hong Kong this brief is distributed only to professional investors as defined in the Securities "
        "and Futures Ordinance (Cap. 571) and its subsidiary legislation. It has not been reviewed by the "
        "Securities and Futures Commission.")),
    "SG": ("Singapore", (
        "In Singapore this brief is distributed only to accredited investors and institutional investors as "
        "defined in the Securities and Futures Act 2001. Recipients should contact the issuer’s Singapore "
        "representative on any matter arising from it.")),
    "AU": ("Australia", (
        "In Australia this brief is provided only to wholesale clients within the meaning of section 761G of "
        "the Corporations Act 2001 (Cth). It is not a disclosure document under that Act and does not take "
        "into account any person’s objectives, financial situation or needs.")),
    "JP": ("Japan", (
        "In Japan this brief is provided only to qualified institutional investors as defined in Article 10 of "
        "the Cabinet Office Ordinance on Definitions under Article 2 of the Financial Instruments and Exchange "
        "Act. It is not a solicitation of any other person.")),
}

MAX_JURISDICTIONS = len(JURISDICTIONS)


def jurisdiction_problem(code: str) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) for a code that is not in the library; None for a known one."""
    if code in JURISDICTIONS:
        return None
    by_case = {known.casefold(): known for known in JURISDICTIONS}
    close = [by_case[code.casefold()]] if code.casefold() in by_case else \
        difflib.get_close_matches(code, JURISDICTIONS, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'?" if close else f"known jurisdictions: {', '.join(JURISDICTIONS)}"
    return f"unknown distribution jurisdiction '{code}'", hint


def copyright_line(year: int, firm: str) -> str:
    """The copyright and reproduction line of a brief issued by ``firm``."""
    return (f"© {year} {firm}. All rights reserved. No part of this brief may be reproduced, redistributed or "
            "passed on, in whole or in part, without the prior written permission of the issuer.")


def copyright_short(year: int, firm: str) -> str:
    """The footer's form: '© 2026 Meridian Pacific Research. No reproduction without permission.'"""
    return f"© {year} {firm}. No reproduction without permission."
