"""API shapes of meetings. Out-schemas list every field on purpose: a new column reaches
the API only when someone adds it here. Nothing here ever carries a secret ballot's
choice: only counts, and only after the motion is closed."""

import datetime as dt

from ninja import Field, Schema


class OrgRef(Schema):
    id: int
    code: str
    name: str


class PersonRef(Schema):
    id: int
    full_name: str


class MeetingRow(Schema):
    id: int
    organization: OrgRef
    kind: str
    kind_label: str
    topic: str
    with_thematic: bool
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    online_link: str
    state: str
    state_label: str


class MeetingPage(Schema):
    items: list[MeetingRow]
    page: int
    per_page: int
    has_next: bool


class AgendaOut(Schema):
    id: int
    position: int
    title: str
    presenter: PersonRef | None
    presenter_name: str


class MaterialOut(Schema):
    id: int
    title: str
    kind: str  # "document" or "file"
    document_id: int | None
    readable: bool
    content_type: str
    size: int
    published_at: dt.datetime | None
    url: str


class MeetingDetail(MeetingRow):
    chair: PersonRef | None
    secretary: PersonRef | None
    liaison: PersonRef | None
    announced_at: dt.datetime | None
    started_at: dt.datetime | None
    closed_at: dt.datetime | None
    may_run: bool
    agenda: list[AgendaOut]
    materials: list[MaterialOut]
    warnings: list[str]
    calendar_url: str


class MeetingIn(Schema):
    kind: str = "thuong_ky"
    topic: str
    starts_at: dt.datetime = Field(
        description="ISO 8601 with its offset, e.g. 2027-02-05T19:30:00+07:00"
    )
    ends_at: dt.datetime
    place: str = ""
    online_link: str = ""
    with_thematic: bool = False
    chair_id: int | None = None
    secretary_id: int | None = None


class ScheduleIn(MeetingIn):
    organization_id: int


class AgendaIn(Schema):
    title: str
    presenter_id: int | None = None
    presenter_name: str = ""


class MoveIn(Schema):
    offset: int = Field(description="-1 up, +1 down")


class MaterialDocumentIn(Schema):
    document_id: int
    title: str = ""


class CommentIn(Schema):
    body: str


class CommentOut(Schema):
    id: int
    author_name: str
    body: str
    created_at: dt.datetime


class SplitOut(Schema):
    full: int
    probationary: int
    temp_attached: int
    exempt: int
    transferred_out: int
    suspended: int
    total: int


class PresenceOut(Schema):
    summoned: SplitOut
    present: SplitOut
    absent_with_accepted_reason: int
    absent_without_reason: int
    denominator: int
    eligible_present: int
    majority_needed: int
    two_thirds_needed: int
    majority_possible: bool
    two_thirds_possible: bool


class RosterLine(Schema):
    id: int
    member_id: int
    full_name: str
    category: str
    category_label: str
    status: str
    reason: str
    reason_accepted: bool | None
    checked_in_at: dt.datetime | None
    method: str
    by_secretary: bool


class RosterOut(Schema):
    presence: PresenceOut
    lines: list[RosterLine]


class CheckInIn(Schema):
    code: str = Field(
        "", description="The code from the QR (the `ma` of its URL); empty for the button"
    )


class AttendanceOut(Schema):
    status: str
    status_label: str
    checked_in_at: dt.datetime | None
    method: str


class MarkIn(Schema):
    status: str = Field(description="present, late or absent")
    reason: str = ""


class ReasonIn(Schema):
    accepted: bool


class MotionIn(Schema):
    title: str
    kind: str = "nghi_quyet"
    ballot: str = "open"
    options: list[str] | None = Field(None, description="Candidates (personnel votes only)")
    max_choices: int = 1
    previous_id: int | None = Field(None, description="A failed motion put again")


class MotionOut(Schema):
    id: int
    title: str
    kind: str
    ballot: str
    options: list[str]
    max_choices: int
    round: int
    threshold: str
    state: str
    votes_cast: int | None = Field(description="Shown to who runs the meeting while open")
    voted: bool
    closed_at: dt.datetime | None
    eligible: int | None
    denominator: int | None
    counts: list[int] | None = Field(description="Per option, only after close")
    result: str
    elected: list[str]


class VoteIn(Schema):
    choices: list[int]


class ShowOfHandsIn(Schema):
    entry_id: int
    choices: list[int]


class QrOut(Schema):
    code: str
    url: str
    period_seconds: int


class PatternIn(Schema):
    organization_id: int
    kind: str = "thuong_ky"
    day_of_month: int
    start_time: dt.time
    duration_minutes: int = 120
    topic: str
    place: str = ""
    online_link: str = ""
    months: int = 3


class LiaisonIn(Schema):
    organization_id: int
    member_id: int
    starts_on: dt.date
    ends_on: dt.date | None = None


class LiaisonOut(Schema):
    id: int
    organization_id: int
    member: PersonRef
    starts_on: dt.date
    ends_on: dt.date | None
