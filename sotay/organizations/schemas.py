import datetime as dt

from ninja import Schema


class OrgOut(Schema):
    id: int
    code: str
    name: str
    org_type: str
    depth: int
    parent_id: int | None = None
    child_count: int
    valid_from: dt.date
    valid_to: dt.date | None


class OrgDetailOut(OrgOut):
    member_counts: dict[str, int]


class OrgPage(Schema):
    items: list[OrgOut]
    page: int
    has_next: bool
