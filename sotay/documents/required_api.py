"""Required reading for the mobile app (issue 4 §3): mark a document required for a
subtree, and read its coverage. Same access functions, services and queries as the
pages, so the same rules and Vietnamese messages: a document or organisation outside the
caller's scope answers 404, a caller who may see the document but not follow or require
reading 403, a refused requirement 400 naming the field."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from sotay.accounts.api_auth import TokenAuth, require_active
from sotay.accounts.permissions import MEMBERS_VIEW, ORG_VIEW, can
from sotay.accounts.schemas import ErrorOut
from sotay.documents import services
from sotay.documents.access import (
    get_coverage_org_for_user,
    get_document_for_user,
    nearest_requirement,
    requirements_of,
)
from sotay.documents.queries import CoverageRow, reading_coverage
from sotay.organizations.models import Organization

router = Router(tags=["Văn bản cần đọc"], auth=TokenAuth())
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class OrgOut(Schema):
    id: int
    code: str
    name: str


class RequiredIn(Schema):
    organization: int
    due_on: dt.date


class RequiredOut(Schema):
    id: int
    document: int
    organization: OrgOut
    due_on: dt.date


class CountsOut(Schema):
    organization: OrgOut | None
    label: str
    must: int
    read: int
    not_read: int
    percent: float | None


class ReaderOut(Schema):
    name: str
    read_at: dt.datetime | None


class CoverageOut(Schema):
    document: int
    organization: OrgOut
    requirement: RequiredOut | None
    total: CountsOut
    children: list[CountsOut]
    # Names only at a branch, for callers holding members.view there; otherwise null.
    people: list[ReaderOut] | None
    # When the figures of a big subtree were counted (kept up to 5 minutes); null: live.
    counted_at: dt.datetime | None


def _org(org: Organization | None) -> dict | None:
    return {"id": org.pk, "code": org.code, "name": org.name} if org is not None else None


def _counts(row: CoverageRow) -> dict:
    return {
        "organization": _org(row.org),
        "label": row.label,
        "must": row.must,
        "read": row.read,
        "not_read": row.not_read,
        "percent": float(row.percent) if row.percent is not None else None,
    }


def _required(r) -> dict:
    return {
        "id": r.pk,
        "document": r.document_id,
        "organization": _org(r.organization),
        "due_on": r.due_on,
    }


@router.post("/documents/{document_id}/required", response={201: RequiredOut, **ERRORS})
def require_reading(request: HttpRequest, document_id: int, payload: RequiredIn):
    """Require every member of `organization`'s subtree to read the document by `due_on`
    (content.publish there; marking again moves the date)."""
    require_active(request)
    document = get_document_for_user(request.user, document_id)
    org = Organization.objects.filter(pk=payload.organization).first()
    if org is None or not can(request.user, ORG_VIEW, org):
        raise Http404("Không tìm thấy tổ chức.")
    requirement = services.require_reading(
        actor=request.user,
        document=document,
        organization=org,
        due_on=payload.due_on,
        request=request,
    )
    return Status(201, _required(requirement))


@router.get("/documents/{document_id}/coverage", response={200: CoverageOut, **ERRORS})
def coverage(request: HttpRequest, document_id: int, org: int | None = None):
    """Who must read / read / has not read, per direct child of `org` (default: the
    requirement's organisation, or the caller's own scope); names at a branch."""
    require_active(request)
    document = get_document_for_user(request.user, document_id)
    requirements = requirements_of(document)
    scope = get_coverage_org_for_user(request.user, document, org, requirements)
    result = reading_coverage(document, scope, names=can(request.user, MEMBERS_VIEW, scope))
    requirement = nearest_requirement(requirements, scope)
    return {
        "document": document.pk,
        "organization": _org(scope),
        "requirement": _required(requirement) if requirement else None,
        "total": _counts(result.total),
        "children": [_counts(r) for r in result.rows],
        "people": (
            [{"name": p.name, "read_at": p.read_at} for p in result.people]
            if result.people is not None
            else None
        ),
        "counted_at": result.counted_at,
    }
