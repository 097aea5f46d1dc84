"""Handbook pages for tests, written through the services as an administrator would."""

from __future__ import annotations

from sotay.handbook import services
from sotay.handbook.models import Page


def make_page(world, title: str, *, parent: Page | None = None, published=True, **fields) -> Page:
    return services.create_page(
        actor=world.admin, title=title, parent=parent, published=published, **fields
    )


def handbook_for_matrix(world) -> dict[str, Page]:
    """A published page (with a child) and a draft, for the permission matrix."""
    page = make_page(world, "Ghi biên bản sinh hoạt chi bộ", body="<h2>Số đảng viên</h2><p>x</p>")
    make_page(world, "Biểu quyết", parent=page)
    return {"hb_page": page, "hb_draft": make_page(world, "Trang đang soạn", published=False)}
