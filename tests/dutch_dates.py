"""Dates written out by hand, to check the product's formats against (not produced by them)."""

from __future__ import annotations

import datetime as dt

MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def prose(day: dt.date) -> str:
    """``29 maart 2027``: how sentences, headings and e-mail write a date."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def table(day: dt.date) -> str:
    """``29-03-2027``: how tables write a date."""
    return f"{day.day:02d}-{day.month:02d}-{day.year}"
