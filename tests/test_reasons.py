"""The reason rule: one length limit, one message that names the field it is about."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from peregister.backoffice.forms import (
    ApproveSelfReportForm,
    OrganisationReasonForm,
    RejectSelfReportForm,
)
from peregister.core.reasons import MAX_REASON_LENGTH, clean_reason
from peregister.core.refusals import Refused

TOO_LONG = "x" * (MAX_REASON_LENGTH + 1)


@pytest.mark.parametrize(
    ("form_class", "message"),
    [
        (RejectSelfReportForm, "Reden van afwijzing is te lang (maximaal 2000 tekens)."),
        (
            ApproveSelfReportForm,
            "Toelichting voor de professional is te lang (maximaal 2000 tekens).",
        ),
        (OrganisationReasonForm, "Reden van afwijzing is te lang (maximaal 2000 tekens)."),
    ],
)
def test_a_too_long_reason_names_its_own_field(form_class: type[forms.Form], message: str) -> None:
    form = form_class(data={"reason": TOO_LONG, "points": "1"})
    assert not form.is_valid()
    assert form.errors["reason"] == [message]


def test_the_message_is_translated_with_the_translated_label() -> None:
    with translation.override("en"):
        form = RejectSelfReportForm(data={"reason": TOO_LONG})
        assert not form.is_valid()
        assert form.errors["reason"] == [
            "Reason for rejection is too long (at most 2000 characters)."
        ]


def test_the_service_says_the_same_for_the_same_field() -> None:
    with pytest.raises(Refused) as refused:
        clean_reason(TOO_LONG, required=True)
    assert refused.value.message == "Reden is te lang (maximaal 2000 tekens)."
    assert refused.value.field == "reason"
    assert clean_reason("  " + "x" * MAX_REASON_LENGTH + " ", required=True) == "x" * 2000
