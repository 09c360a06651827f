"""One date format for tables and one for prose, in pages and e-mail; dates typed dd-mm-jjjj."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.utils import translation

from peregister.core.dates import (
    DutchDateField,
    parse_date,
    prose_date,
    prose_datetime,
    table_date,
    table_datetime,
)
from peregister.notifications.mail import render_mail

DAY = dt.date(2027, 3, 29)


def test_tables_write_day_month_year_with_leading_zeros() -> None:
    assert table_date(DAY) == "29-03-2027"
    assert table_date(dt.date(2027, 1, 5)) == "05-01-2027"


def test_prose_writes_the_month_in_the_readers_language() -> None:
    assert prose_date(DAY) == "29 maart 2027"
    with translation.override("en"):
        assert prose_date(DAY) == "29 March 2027"


def test_moments_are_shown_in_amsterdam_time() -> None:
    # 23:30 UTC on 28 March 2027 is already 29 March in Amsterdam (summer time, UTC+2).
    moment = dt.datetime(2027, 3, 28, 23, 30, tzinfo=dt.UTC)
    assert table_datetime(moment) == "29-03-2027 01:30"
    assert prose_datetime(moment) == "29 maart 2027, 01:30"
    assert table_date(moment) == "29-03-2027"


def test_iso_strings_from_mail_contexts_are_read_and_garbage_is_empty() -> None:
    assert prose_date("2027-03-29") == "29 maart 2027"
    assert table_date("geen datum") == ""
    assert prose_date(None) == ""


def test_day_first_strings_of_mail_queued_before_iso_contexts_still_read() -> None:
    # Outbox rows stored before mail contexts carried ISO dates hold "29-03-2027": a retry or a
    # resend after an upgrade must still write the date, not leave a gap in the sentence.
    assert prose_date("29-03-2027") == "29 maart 2027"
    assert table_date("29-03-2027") == "29-03-2027"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("29-03-2027", DAY),
        ("29-3-2027", DAY),
        ("29/03/2027", DAY),
        ("29.03.2027", DAY),
        ("29 03 2027", DAY),
        (" 29-03-2027 ", DAY),
        ("2027-03-29", DAY),  # ISO, as older forms and imports send
        ("31-02-2027", None),
        ("03/29/2027", None),  # month first is not Dutch
        ("29-03-27", None),
        ("٢٩-٠٣-٢٠٢٧", None),  # other scripts' digits
        ("morgen", None),
        ("", None),
        ("01-01-0001", None),  # a typo for a real year, not a date in anyone's PE history
        ("31-12-1899", None),
        ("01-01-1900", dt.date(1900, 1, 1)),
    ],
)
def test_typed_dates(typed: str, expected: dt.date | None) -> None:
    assert parse_date(typed) == expected


class _Form(forms.Form):
    day = DutchDateField(label="Datum")


def test_a_date_field_is_a_text_box_showing_dd_mm_jjjj() -> None:
    html = str(_Form(initial={"day": DAY})["day"])
    assert 'type="text"' in html
    assert 'value="29-03-2027"' in html
    assert 'type="date"' not in html


def test_a_date_field_reads_dutch_and_iso_and_explains_garbage() -> None:
    assert _Form({"day": "29-03-2027"}).is_valid()
    assert _Form({"day": "2027-03-29"}).is_valid()
    form = _Form({"day": "03/29/2027"})
    assert not form.is_valid()
    assert form.errors["day"] == [
        "Vul een geldige datum in als dd-mm-jjjj, bijvoorbeeld 31-12-2027."
    ]


def test_every_date_field_explains_a_bad_date_in_the_same_words() -> None:
    from peregister.access.forms import ValidUntilField
    from peregister.backoffice.activity_forms import ActivityForm, EndRecognitionForm
    from peregister.backoffice.forms import AttendancePasteForm
    from peregister.registry.self_report_forms import SelfReportForm

    expected = "Vul een geldige datum in als dd-mm-jjjj, bijvoorbeeld 31-12-2027."
    fields = [
        ValidUntilField(),
        SelfReportForm.base_fields["completed_on"],
        ActivityForm.base_fields["recognised_from"],
        ActivityForm.base_fields["recognised_until"],
        EndRecognitionForm.base_fields["last_day"],
        AttendancePasteForm.base_fields["day"],
    ]
    for field in fields:
        with pytest.raises(forms.ValidationError) as refusal:
            field.clean("31-02-2027")
        assert refusal.value.messages == [expected]


def test_templates_use_the_two_formats_only() -> None:
    """No template picks a format of its own: ``|date:"…"`` would bring back a third one."""
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in Path(settings.BASE_DIR, "templates").rglob("*")
        if path.is_file() and re.search(r"\|\s*date\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("language", "expected"), [("nl", "29 maart 2027"), ("en", "29 March 2027")]
)
def test_mail_writes_prose_dates_in_text_and_html(language: str, expected: str) -> None:
    message = render_mail(
        "grant_ending",
        {
            "professional_name": "Sanne",
            "contact_name": "Regiomanager",
            "organisation_name": "Zeewind",
            "valid_until": "2027-03-29",
            "days_left": 14,
            "link": "https://pe.example/",
        },
        language,
    )
    html = str(message.alternatives[0][0])
    assert expected in message.subject
    assert expected in message.body
    assert expected in html
    assert "29-03-2027" not in message.body + html
