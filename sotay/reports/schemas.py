import datetime as dt

from ninja import Schema


class CountRowOut(Schema):
    key: str  # the stored value ("" for blank), a band ("31-40") or "*" for other values
    label: str
    count: int
    percent: float | None  # of the dimension's base, two decimals; null when not a share


class DimensionOut(Schema):
    key: str
    title: str
    base: int  # members on the active roll: what the percentages are of
    rows: list[CountRowOut]


class ChildStatisticsOut(Schema):
    organization_id: int | None  # null: members attached to the organisation itself
    code: str
    name: str
    members: int
    probationary: int
    female: int
    accounts: int
    active_accounts: int
    accounts_percent: float | None
    active_accounts_percent: float | None


class StatisticsOut(Schema):
    organization_id: int
    code: str
    name: str
    date: dt.date
    computed_at: dt.datetime
    rolled_up: bool  # served from a roll-up at most five minutes old
    members: int  # on the active roll (dự bị, chính thức, miễn sinh hoạt)
    probationary: int
    female: int
    left_roll: int
    accounts: int
    active_accounts: int
    accounts_percent: float | None
    active_accounts_percent: float | None
    accounts_ratio: str  # as people write it: "5.979/6.083 = 98,29 %"
    statuses: DimensionOut
    dimensions: list[DimensionOut]
    children: list[ChildStatisticsOut]
