"""API shapes of the minutes, resolution, self-score and meeting statistics."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class RemarkIn(Schema):
    text: str
    speaker_member_id: int | None = None
    speaker_name: str = ""
    agenda_item_id: int | None = None


class ConclusionIn(Schema):
    text: str
    agenda_item_id: int | None = None


class GuestIn(Schema):
    full_name: str
    position: str = ""


class RemarkOut(Schema):
    id: int
    speaker_member_id: int | None
    speaker_name: str
    agenda_item_id: int | None
    text: str


class ConclusionOut(Schema):
    id: int
    agenda_item_id: int | None
    text: str


class GuestOut(Schema):
    id: int
    full_name: str
    position: str


class NotesOut(Schema):
    remarks: list[RemarkOut]
    conclusions: list[ConclusionOut]
    guests: list[GuestOut]


class DraftIn(Schema):
    redraft: bool = False


class MinutesBodyIn(Schema):
    body: str


class NewVersionIn(Schema):
    reason: str


class MinutesSummary(Schema):
    version: int
    state: str
    reason: str
    content_hash: str
    approved_at: dt.datetime | None


class MinutesOut(MinutesSummary):
    meeting_id: int
    heading: str
    body: str


class ResolutionIn(Schema):
    number: int
    title: str
    body: str


class ResolutionOut(Schema):
    meeting_id: int
    number: int
    symbol: str
    title: str
    body: str
    state: str
    document_id: int | None


class ScoreIn(Schema):
    time: int
    attendance: int
    preparation: int
    conduct: int
    principles: int
    results: int
    closing: int
    note: str = ""


class ScoreConfigIn(Schema):
    valid_from: dt.date
    time: int
    attendance: int
    preparation: int
    conduct: int
    principles: int
    results: int
    closing: int
    good_from: int = 90
    fair_from: int = 70
    average_from: int = 50
    note: str = ""


class ScoreConfigOut(Schema):
    id: int
    valid_from: dt.date
    weights: dict[str, int]
    good_from: int
    fair_from: int
    average_from: int
    note: str


class ScoreOut(Schema):
    meeting_id: int
    points: dict[str, int] | None
    total: int | None
    grade: str | None
    grade_label: str | None
    note: str
    config: ScoreConfigOut


class StatsRowOut(Schema):
    organization_id: int | None = None
    month: int | None = None
    label: str
    branches: int
    branches_met: int
    branches_not_met: int
    meetings: int
    expected: int
    present: int
    attendance_rate: float | None


class NotMetOut(Schema):
    organization_id: int
    code: str
    name: str


class MeetingStatsOut(Schema):
    organization_id: int
    year: int
    month: int
    total: StatsRowOut
    children: list[StatsRowOut]
    months: list[StatsRowOut]
    not_met_count: int
    not_met: list[NotMetOut]
