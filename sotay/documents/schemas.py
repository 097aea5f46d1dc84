"""API shapes of the documents library. Out-schemas list every field on purpose: a new
model column reaches the API only when someone adds it here."""

import datetime as dt

from ninja import Schema


class DocumentRow(Schema):
    """One line of the library. With a search, `title_html` and `snippet_html` hold the
    title and a short extract (summary, body or attachment text) as escaped HTML whose
    only tags are <mark> around the matched words; without one they are null."""

    id: int
    kind: str
    kind_label: str
    symbol: str
    title: str
    issuer: str
    issued_on: dt.date | None
    published_at: dt.datetime | None
    audience_level: str
    title_html: str | None
    snippet_html: str | None


class DocumentPage(Schema):
    items: list[DocumentRow]
    page: int
    per_page: int
    has_next: bool


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    label: str
    size: int
    searchable: bool
    url: str


class DocumentRef(Schema):
    id: int
    symbol: str
    title: str


class LinkOut(Schema):
    """`relation` read from this document: "implements", "replaces", "amends" when this
    document does it to `document`, "implemented_by", "replaced_by", "amended_by" when
    `document` does it to this one."""

    relation: str
    relation_label: str
    document: DocumentRef


class ReceiptOut(Schema):
    read: bool
    first_read_at: dt.datetime | None


class DocumentDetail(Schema):
    id: int
    kind: str
    kind_label: str
    symbol: str
    title: str
    summary: str
    issuer: str
    issued_on: dt.date | None
    effective_on: dt.date | None
    published_at: dt.datetime | None
    state: str
    state_label: str
    withdrawn_reason: str
    audience_level: str
    audience: str
    tags: list[str]
    body: str
    attachments: list[AttachmentOut]
    links: list[LinkOut]
    bookmarked: bool
    receipt: ReceiptOut


class BookmarkOut(Schema):
    document_id: int
    bookmarked: bool
