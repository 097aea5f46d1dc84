"""Calendar files (RFC 5545) of meetings. Times are written in UTC (`…Z`), which every
calendar converts to the phone's zone, so a 19:30 meeting in Hà Nội shows at 19:30 on a
phone set to Asia/Ho_Chi_Minh; X-WR-TIMEZONE names the zone for calendars that group
by it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse

from sotay.meetings.models import Meeting

PRODID = "-//Sổ tay đảng viên điện tử//Sinh hoạt chi bộ//VI"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets are folded (continuation lines start with a
    space), never inside a UTF-8 sequence."""
    out, current = [], ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0]] + [" " + part for part in out[1:]]


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_for(meetings: list[Meeting], base_url: str) -> str:
    """One VCALENDAR with a VEVENT per meeting. `base_url` ends with a slash."""
    host = base_url.split("//", 1)[-1].strip("/").split("/")[0] or "sotay"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
    ]
    stamp = _utc(dt.datetime.now(dt.UTC))
    for meeting in meetings:
        url = base_url.rstrip("/") + reverse("meetings:detail", args=[meeting.pk])
        where = meeting.place or meeting.online_link
        description = f"{meeting.organization.name}. {meeting.get_kind_display()}. {url}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(meeting.starts_at)}",
            f"DTEND:{_utc(meeting.ends_at)}",
            f"SUMMARY:{_escape(meeting.topic)}",
            f"LOCATION:{_escape(where)}",
            f"DESCRIPTION:{_escape(description)}",
            f"URL:{url}",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_escape(meeting.topic)}",
            "TRIGGER:-PT1H",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"
