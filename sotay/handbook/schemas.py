from __future__ import annotations

import datetime as dt

from ninja import Schema


class TreeNodeOut(Schema):
    id: int
    title: str
    slug: str
    published: bool
    children: list[TreeNodeOut]


TreeNodeOut.model_rebuild()


class CrumbOut(Schema):
    id: int
    title: str
    slug: str


class PageOut(Schema):
    id: int
    title: str
    slug: str
    parent_id: int | None
    position: int
    summary: str
    body: str  # sanitised HTML, headings carry anchor ids
    toc: list[dict]
    sources: str
    published: bool
    updated_at: dt.datetime
    breadcrumb: list[CrumbOut]
    children: list[CrumbOut]
    previous: CrumbOut | None
    next: CrumbOut | None


class SearchHitOut(Schema):
    id: int
    title: str
    slug: str
    summary: str
