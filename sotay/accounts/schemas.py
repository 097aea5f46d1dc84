import datetime as dt

from ninja import Schema


class TokenIn(Schema):
    identifier: str
    password: str
    otp: str | None = None
    device_name: str | None = None


class TokenOut(Schema):
    id: int
    token: str
    expires_at: dt.datetime


class TokenInfo(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class RoleOut(Schema):
    role: str
    organization_id: int


class MeOut(Schema):
    id: int
    full_name: str
    status: str
    member_id: int | None
    organization_id: int | None
    roles: list[RoleOut]
    two_factor: bool


class ErrorOut(Schema):
    detail: str
