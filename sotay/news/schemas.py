import datetime as dt

from ninja import Schema


class OrgRef(Schema):
    id: int
    code: str
    name: str


class PostRow(Schema):
    id: int
    title: str
    summary: str
    state: str
    state_label: str
    pinned: bool
    publish_at: dt.datetime | None
    audience: OrgRef
    has_cover: bool
    cover_url: str | None
    thumb_url: str | None
    read: bool


class PostDetail(PostRow):
    body_html: str
    withdrawn_reason: str
    withdrawn_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class PostPage(Schema):
    items: list[PostRow]
    page: int
    has_next: bool


class PostIn(Schema):
    title: str
    summary: str = ""
    body: str
    audience_code: str
    pinned: bool = False


class PublishIn(Schema):
    publish_at: dt.datetime | None = None


class WithdrawIn(Schema):
    reason: str


class PinIn(Schema):
    pinned: bool


class FeedItemOut(Schema):
    type: str  # "document" or "news"
    id: int
    at: dt.datetime
    title: str
    summary: str
    kind_label: str
    organization: str
    unread: bool
    pinned: bool
    has_cover: bool
    due_on: dt.date | None
    overdue: bool
    api_url: str


class FeedPage(Schema):
    top: list[FeedItemOut]
    items: list[FeedItemOut]
    next_cursor: str | None
