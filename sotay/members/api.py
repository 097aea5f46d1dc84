"""Member records for the mobile app: the caller's own record, scoped lists and details,
lifecycle events, sheet edits and correction requests.

Same access functions, queries and services as the pages, so the same rules and the same
Vietnamese messages: a record outside the caller's scope answers 404, a write the caller
may not make on a visible record 403, a stale `version` 409. Every read of member data is
audited, and a list never returns more than PER_PAGE rows a call (DOMAIN §9: no bulk
leak through the API)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from sotay.accounts.api_auth import TokenAuth, require_active
from sotay.accounts.permissions import MEMBERS_VIEW, can
from sotay.accounts.schemas import ErrorOut
from sotay.audit.services import record
from sotay.core.errors import ServiceError
from sotay.core.pagination import page_of
from sotay.members import lifecycle, records
from sotay.members.access import get_member_for_user
from sotay.members.models import Member, MemberStatus
from sotay.members.queries import SEARCH_CAP, capped, members_visible_to, search_members
from sotay.members.schemas import (
    CorrectionIn,
    CorrectionOut,
    EventIn,
    EventOut,
    MemberDetail,
    MemberPage,
    RecordPatch,
)
from sotay.members.views import photo_response
from sotay.organizations.access import get_organization_for_user
from sotay.organizations.models import Organization

router = Router(tags=["Đảng viên"], auth=TokenAuth())

PER_PAGE = 50  # the most rows one call returns, whatever the client asks for
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _org(org: Organization | None) -> dict | None:
    return {"id": org.pk, "code": org.code, "name": org.name} if org is not None else None


def _row(m: Member) -> dict:
    return {
        "id": m.pk, "full_name": m.full_name, "birth_year": m.birth_date.year, "sex": m.sex,
        "status": m.status, "status_label": m.get_status_display(), "organization": _org(m.organization),
    }  # fmt: skip


def _event(e) -> dict:
    return {
        "id": e.pk, "kind": e.kind, "kind_label": e.get_kind_display(), "effective_on": e.effective_on,
        "decided_on": e.decided_on, "deciding_body": e.deciding_body, "decision_number": e.decision_number,
        "organization": _org(e.organization), "until": e.until, "note": e.note, "recorded_at": e.recorded_at,
    }  # fmt: skip


SHEET = (
    "full_name", "birth_date", "sex", "phone", "card_number", "cccd", "status", "joined_on",
    "full_on", "admission_decided_on", "probation_ends_on", "temp_until", "ethnicity", "religion",
    "hometown", "residence", "occupation", "general_education", "education", "professional_field",
    "academic_title", "political_theory", "foreign_language", "it_skill", "commendations",
    "discipline", "version",
)  # fmt: skip


def _detail(m: Member) -> dict:
    data = {field: getattr(m, field) for field in SHEET}
    data.update(
        id=m.pk,
        status_label=m.get_status_display(),
        organization=_org(m.organization),
        temp_organization=_org(m.temp_organization) if m.temp_organization_id else None,
        transit_organization=_org(m.transit_organization) if m.transit_organization_id else None,
        has_photo=bool(m.photo),
        events=[_event(e) for e in m.events.select_related("organization").order_by("id")],
        cards=list(m.cards.values("card_number", "issued_on", "ended_on", "note")),
        badges=list(m.badges.values("years", "awarded_on", "decision_number")),
    )
    return data


def _viewed(request: HttpRequest, member: Member) -> dict:
    record(action="members.viewed", request=request, target=member, note="API")
    return _detail(member)


@router.get("/members/me", response={200: MemberDetail, **ERRORS})
def my_record(request: HttpRequest):
    """The caller's own record."""
    require_active(request)
    if not request.user.member_id:
        raise HttpError(404, "Tài khoản không gắn với đảng viên nào.")
    return _viewed(request, get_member_for_user(request.user, request.user.member_id))


@router.post("/members/me/corrections", response={201: CorrectionOut, **ERRORS})
def request_correction(request: HttpRequest, payload: CorrectionIn):
    """Ask the branch to correct something in the caller's own record."""
    require_active(request)
    req = records.request_correction(user=request.user, message=payload.message)
    return Status(201, {"id": req.pk, "message": req.message, "status": req.status,
                        "status_label": req.get_status_display(), "created_at": req.created_at})  # fmt: skip


@router.get("/members", response={200: MemberPage, **ERRORS})
def member_list(
    request: HttpRequest,
    org: int | None = None,
    q: str = "",
    status: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
):
    """Members the caller may read (members.view), in Vietnamese name order: `org` limits
    to a subtree, `q` searches names without diacritics (digits: card numbers), `status`
    is one of the status codes. At most 50 a page; each call is audited."""
    require_active(request)
    if not can(request.user, MEMBERS_VIEW):
        raise HttpError(403, "Bạn không có quyền xem danh sách đảng viên.")
    if not 1 <= per_page <= PER_PAGE or page < 1:
        raise HttpError(
            422, f"Tham số phân trang không hợp lệ (per_page từ 1 đến {PER_PAGE}, page ≥ 1)."
        )
    q = q.strip()[:100]
    qs = members_visible_to(request.user)
    scope = None
    if org is not None:
        scope = get_organization_for_user(request.user, org)
        qs = qs.filter(org_path__startswith=scope.path)
    if status:
        if status not in MemberStatus.values:
            raise ServiceError(
                f"Tình trạng “{status}” không hợp lệ; dùng một trong: "
                + ", ".join(MemberStatus.values)
                + ".",
                field="status",
            )
        qs = qs.filter(status=status)
    qs = capped(search_members(qs, q), q).select_related("organization").order_by("name_sort", "id")
    p = page_of(qs, page, per_page, count=False)
    at_cap = bool(q) and not p.has_next and (p.number - 1) * per_page + len(p.items) >= SEARCH_CAP
    label = ", ".join(
        part
        for part in (f"tìm '{q}'" if q else "", f"tình trạng {status}" if status else "")
        if part
    )
    record(action="members.listed", request=request, org_path=scope.path if scope else "",
           target_label=label or "danh sách", note=f"API trang {p.number}, {len(p.items)} đảng viên")  # fmt: skip
    return {
        "items": [_row(m) for m in p.items],
        "page": p.number,
        "per_page": per_page,
        "has_next": p.has_next,
        "at_cap": at_cap,
    }


@router.get("/members/{member_id}", response={200: MemberDetail, **ERRORS})
def member_detail(request: HttpRequest, member_id: int):
    """One record with its lifecycle events, card history and badges."""
    require_active(request)
    return _viewed(request, get_member_for_user(request.user, member_id))


@router.patch("/members/{member_id}", response={200: MemberDetail, 409: ErrorOut, **ERRORS})
def edit_record(request: HttpRequest, member_id: int, payload: RecordPatch):
    """Change sheet fields (members.edit): only the fields sent in `changes` change. Send
    the `version` read with the record: if someone saved it meanwhile the answer is 409
    and nothing is saved."""
    require_active(request)
    member = get_member_for_user(request.user, member_id)
    updated = records.update_record(
        actor=request.user, member=member, changes=payload.changes.model_dump(exclude_unset=True),
        reason=payload.reason, approval_ref=payload.approval_ref, expected_version=payload.version,
    )  # fmt: skip
    return _detail(updated)


@router.post("/members/{member_id}/events", response={201: EventOut, **ERRORS})
def record_event(request: HttpRequest, member_id: int, payload: EventIn):
    """Record a lifecycle event (members.record_events), checked by the same rules as the
    member page. `organization_code` names the receiving branch of a transfer."""
    require_active(request)
    member = get_member_for_user(request.user, member_id)
    organization = None
    code = (payload.organization_code or "").strip().upper()
    if code:
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            raise ServiceError(f"Không có tổ chức mã {code}.", field="organization_code")
    event = lifecycle.record_event(
        actor=request.user, member=member, kind=payload.kind, effective_on=payload.effective_on,
        decided_on=payload.decided_on, deciding_body=payload.deciding_body,
        decision_number=payload.decision_number, organization=organization, until=payload.until,
        note=payload.note,
    )  # fmt: skip
    return Status(201, _event(event))


@router.get("/members/{member_id}/photo", response={200: None, **ERRORS})
def member_photo(request: HttpRequest, member_id: int):
    """The portrait as a JPEG (404 when there is none). Audited like the record."""
    require_active(request)
    return photo_response(request, get_member_for_user(request.user, member_id))


@router.post("/members/{member_id}/photo", response={200: MemberDetail, **ERRORS})
def upload_photo(
    request: HttpRequest, member_id: int, photo: File[UploadedFile], reason: Form[str] = ""
):
    """Replace the portrait (members.edit), multipart: `photo` (JPEG, PNG or WebP, at most
    2 MB, 100–6000 px a side) and `reason`."""
    require_active(request)
    member = get_member_for_user(request.user, member_id)
    updated = records.set_photo(actor=request.user, member=member, upload=photo, reason=reason)
    return _detail(updated)
