"""The `.ics` calendar of a programme's dated sessions: the ONLY module that imports icalendar.

Events carry their time in Europe/Paris with its VTIMEZONE (so an agenda abroad or on a phone set to UTC shows the
right hour); undated sessions are left out. Same programme, same bytes: the UID is the programme's slug and the
session's number, and DTSTAMP is the programme's `updated` (else `created`, else the first session's date) at
midnight UTC, never the time of the export.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from ..sheets.agenda import Agenda, TimedSession
from ..sheets.clock import clock_text
from ..sheets.durations import format_duration
from ..sheets.programmes import Programme

TIMEZONE = "Europe/Paris"


def programme_calendar(programme: Programme, agenda: Agenda) -> bytes | None:
    """The iCalendar file of the dated sessions, or None when no session has a date."""
    import zoneinfo

    import icalendar

    dated = [session for session in agenda.sessions if session.date]
    if not dated:
        return None
    zone = zoneinfo.ZoneInfo(TIMEZONE)
    stamp_day = programme.updated or programme.created or dated[0].date or dt.date(2000, 1, 1)
    stamp = dt.datetime.combine(stamp_day, dt.time(0, 0), tzinfo=dt.timezone.utc)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//outillerie//programme//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", programme.title)
    for session in dated:
        assert session.date is not None
        event = icalendar.Event()
        event.add("uid", f"{programme.slug}-seance-{session.number}@outillerie")
        event.add("dtstamp", stamp)
        start = dt.datetime.combine(session.date, dt.time(0, 0), tzinfo=zone) + dt.timedelta(minutes=session.start)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=session.minutes))
        count = len(agenda.sessions)
        event.add("summary", f"{programme.title} — séance {session.number}" if count > 1 else programme.title)
        event.add("description", _description(session, programme.summary))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _description(session: TimedSession, summary: str) -> str:
    lines: Sequence[str] = [f"{clock_text(item.start)} {item.title} ({format_duration(item.minutes)})"
                            for item in session.items]
    return "\n".join([summary, "", *lines, f"{clock_text(session.end)} Fin"])
