"""Template helpers of the web pages: dates as precise as known, statuses, links, charts."""

from __future__ import annotations

import datetime as dt

from django import template
from django.http import QueryDict
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from visits import titles
from visits.dates import Precision, format_partial

register = template.Library()

#: Status names and the symbol shown beside them (the colour is never the only cue).
STATUSES = {
    "planned": (pgettext_lazy("status", "Planned"), "◷"),
    "ongoing": (pgettext_lazy("status", "Ongoing"), "▶"),
    "completed": (pgettext_lazy("status", "Completed"), "✓"),
    "held": (pgettext_lazy("status", "Held"), "✓"),
    "postponed": (pgettext_lazy("status", "Postponed"), "⏸"),
    "cancelled": (pgettext_lazy("status", "Cancelled"), "✕"),
}
FLAGS = {
    "conflicting-reports": _("Reports disagree about this entry."),
    "role-contradicts-known-position": _("The title given does not match a position this person is known to hold."),
}
KINDS = {
    "meeting": _("Bilateral meeting"),
    "talks": _("Talks"),
    "press-conference": _("Press conference"),
    "summit": _("Summit"),
    "ceremony": _("Ceremony"),
    "visit": _("Visit"),
    "other": _("Engagement"),
}


def partial_text(date: dt.date | None, precision: str | None) -> str:
    """A date in the current locale, saying no more than is known: "March 2024", "2024"."""
    if date is None:
        return ""
    if precision == Precision.YEAR:
        return str(date.year)
    if precision == Precision.MONTH:
        return formats.date_format(date, "YEAR_MONTH_FORMAT")
    return formats.date_format(date, "DATE_FORMAT")


@register.simple_tag
def period(obj) -> str:
    """``<time>`` elements for an object's start (and end, when another period)."""
    start, end, precision = obj.start_date, obj.end_date, obj.precision
    if start is None and end is None:
        return format_html('<span class="date-unknown">{}</span>', _("date unknown"))
    first = format_html(
        '<time datetime="{}">{}</time>', format_partial(start or end, precision), partial_text(start or end, precision)
    )
    if end is None or start is None or format_partial(end, precision) == format_partial(start, precision):
        return first
    last = format_html('<time datetime="{}">{}</time>', format_partial(end, precision), partial_text(end, precision))
    return format_html("{} \u2013 {}", first, last)


@register.filter
def partial_date(date: dt.date | None, precision: str | None = None) -> str:
    return partial_text(date, precision)


@register.simple_tag
def status_badge(status: str | None) -> str:
    label, symbol = STATUSES.get(status or "", (status or _("unknown"), "•"))
    return format_html(
        '<span class="status status-{}"><span class="status-icon" aria-hidden="true">{}</span> {}</span>',
        status or "unknown",
        symbol,
        label,
    )


@register.filter
def status_label(status: str | None) -> str:
    return STATUSES.get(status or "", (status or "",))[0]


@register.filter
def flag_text(flag: str) -> str:
    return FLAGS.get(flag, flag)


@register.filter
def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


@register.filter
def kind_if_untold(meeting, heading: str | None = None) -> str:
    """The meeting's kind for its card's line of facts, or "" when the card's heading (``heading``,
    else the meeting's title, else its kind) already says it: "Talks in Tbilisi" needs no "talks"."""
    label = str(kind_label(meeting.kind))
    shown = str(heading or meeting.title or label)
    return "" if label.lower() in shown.lower() else label


@register.filter
def topic_name(topic) -> str:
    return titles.topic_name(topic)


@register.filter
def analyst_title(fact) -> str:
    """The title an analyst gave a trip or meeting ('' when it has only a machine-written one)."""
    return titles.analyst_title(fact) or ""


@register.filter
def country_name(country) -> str:
    """A country's name in the current language (CLDR names), else its English name."""
    if country is None:
        return ""
    return country.name_in((get_language() or "en").split("-")[0])


@register.simple_tag
def query_with(query: QueryDict, **changes) -> str:
    """``query`` urlencoded with some parameters replaced (a value of None removes one)."""
    params = query.copy()
    for name, value in changes.items():
        if value is None or value == "":
            params.pop(name, None)
        else:
            params[name] = value
    return params.urlencode()


@register.filter
def selected_in(value: str, values: list[str]) -> bool:
    return str(value) in values


@register.inclusion_tag("visits/includes/columns.html")
def column_chart(chart: dict, title: str, label_header: str, value_header: str, chart_id: str) -> dict:
    return {"chart": chart, "title": title, "label_header": label_header, "value_header": value_header, "id": chart_id}


@register.inclusion_tag("visits/includes/rows.html")
def row_chart(chart: dict, title: str, label_header: str, value_header: str, chart_id: str) -> dict:
    return {"chart": chart, "title": title, "label_header": label_header, "value_header": value_header, "id": chart_id}


@register.inclusion_tag("visits/includes/holdings.html")
def holdings_notice(admin: bool = False) -> dict:
    """What the tracker holds and how to get more, shown only while it holds little."""
    from visits.views.holdings import holdings

    return {"holdings": holdings(), "admin": admin}
