"""``{% load dates %}``: the two date formats of the product (see ``peregister.core.dates``).

``table_date`` / ``table_datetime`` in table cells, ``prose_date`` / ``prose_datetime`` in
sentences, headings, definition lists and e-mail. They accept dates, datetimes and ISO strings
(as mail contexts carry dates).
"""

from __future__ import annotations

from django import template

from peregister.core import dates

register = template.Library()

register.filter("table_date", dates.table_date, expects_localtime=True)
register.filter("table_datetime", dates.table_datetime, expects_localtime=True)
register.filter("prose_date", dates.prose_date, expects_localtime=True)
register.filter("prose_datetime", dates.prose_datetime, expects_localtime=True)
