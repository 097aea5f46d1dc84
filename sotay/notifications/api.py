import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from sotay.accounts.api_auth import TokenAuth, require_active
from sotay.core.pagination import page_of
from sotay.notifications import services
from sotay.notifications.access import get_receipt_for_user
from sotay.notifications.queries import receipts_visible_to, unread_count

router = Router(tags=["Thông báo"], auth=TokenAuth())


class NoticeOut(Schema):
    id: int
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NoticePage(Schema):
    items: list[NoticeOut]
    unread: int
    page: int
    has_next: bool


def _out(r) -> dict:
    n = r.notice
    return {
        "id": r.pk,
        "title": n.title,
        "body": n.body,
        "url": n.url,
        "created_at": n.created_at,
        "read_at": r.read_at,
    }


@router.get("/notices", response=NoticePage)
def notices(request: HttpRequest, page: int = 1):
    require_active(request)
    p = page_of(receipts_visible_to(request.user), page, 30, count=False)
    return {
        "items": [_out(r) for r in p.items],
        "unread": unread_count(request.user),
        "page": p.number,
        "has_next": p.has_next,
    }


@router.post("/notices/{receipt_id}/read", response=NoticeOut)
def read(request: HttpRequest, receipt_id: int):
    require_active(request)
    receipt = get_receipt_for_user(request.user, receipt_id)
    return _out(services.mark_read(user=request.user, receipt=receipt))
