"""API shapes of member records. Out-schemas list every field on purpose: a new model
column reaches the API only when someone adds it here."""

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict


class OrgRef(Schema):
    id: int
    code: str
    name: str


class MemberRow(Schema):
    """One line of a list: enough to find the person, nothing of the sheet."""

    id: int
    full_name: str
    birth_year: int
    sex: str
    status: str
    status_label: str
    organization: OrgRef


class MemberPage(Schema):
    items: list[MemberRow]
    page: int
    per_page: int
    has_next: bool
    # True when a name search matched more rows than are ever listed (SEARCH_CAP): the
    # client should ask for a longer name instead of paging on.
    at_cap: bool


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    effective_on: dt.date
    decided_on: dt.date | None
    deciding_body: str
    decision_number: str
    organization: OrgRef | None
    until: dt.date | None
    note: str
    recorded_at: dt.datetime


class CardOut(Schema):
    card_number: str
    issued_on: dt.date | None
    ended_on: dt.date | None
    note: str


class BadgeOut(Schema):
    years: int
    awarded_on: dt.date
    decision_number: str


class MemberDetail(Schema):
    """The whole record as the member page shows it. `version` goes back with a PATCH."""

    id: int
    version: int
    full_name: str
    birth_date: dt.date
    sex: str
    phone: str
    card_number: str | None
    cccd: str | None
    status: str
    status_label: str
    joined_on: dt.date | None
    full_on: dt.date | None
    admission_decided_on: dt.date | None
    probation_ends_on: dt.date | None
    organization: OrgRef
    temp_organization: OrgRef | None
    temp_until: dt.date | None
    transit_organization: OrgRef | None
    ethnicity: str
    religion: str
    hometown: str
    residence: str
    occupation: str
    general_education: str
    education: str
    professional_field: str
    academic_title: str
    political_theory: str
    foreign_language: str
    it_skill: str
    commendations: str
    discipline: str
    has_photo: bool
    events: list[EventOut]
    cards: list[CardOut]
    badges: list[BadgeOut]


class EventIn(Schema):
    """A lifecycle event, the same fields as the form on the member page."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    effective_on: dt.date | None = None
    decided_on: dt.date | None = None
    deciding_body: str = ""
    decision_number: str = ""
    organization_code: str | None = None  # receiving branch of a transfer
    until: dt.date | None = None
    note: str = ""


class SheetChanges(Schema):
    """The fields a PATCH may change; only those sent are changed. An unknown field is
    refused rather than ignored, so a misspelt key cannot look like a saved change."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    phone: str | None = None
    cccd: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    hometown: str | None = None
    residence: str | None = None
    occupation: str | None = None
    general_education: str | None = None
    education: str | None = None
    professional_field: str | None = None
    academic_title: str | None = None
    political_theory: str | None = None
    foreign_language: str | None = None
    it_skill: str | None = None
    commendations: str | None = None
    discipline: str | None = None


class RecordPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    reason: str
    approval_ref: str
    changes: SheetChanges


class CorrectionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    message: str


class CorrectionOut(Schema):
    id: int
    message: str
    status: str
    status_label: str
    created_at: dt.datetime
