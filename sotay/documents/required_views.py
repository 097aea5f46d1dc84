"""Required reading (issue 4 §3): the publisher's "Yêu cầu đọc" panel on the reader, its
two POSTs, and the coverage page (who of an organisation's subtree has read a document,
drill-down to the names at a branch)."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from sotay.accounts.permissions import CONTENT_PUBLISH, MEMBERS_VIEW, can, orgs_where
from sotay.core import errors
from sotay.core.services import call_service, call_with_message
from sotay.documents import services
from sotay.documents.access import (
    get_coverage_org_for_user,
    get_document_for_user,
    nearest_requirement,
    requirements_of,
)
from sotay.documents.forms import RequireForm
from sotay.documents.models import AudienceLevel, Document, DocumentState, RequiredReading
from sotay.documents.queries import ancestors_or_self, reading_coverage
from sotay.organizations.access import find_organization_by_code
from sotay.organizations.models import Organization

DEFAULT_DAYS = 14  # the due date the form proposes
MAX_SUGGESTIONS = 50


def _publish_root(user, document: Document) -> Organization | None:
    """Where the user would require reading by default: the audience organisation when
    they publish there, else their own publishing scope inside the audience."""
    if can(user, CONTENT_PUBLISH, document.audience_org):
        return document.audience_org
    inside = [p for p in (orgs_where(user, CONTENT_PUBLISH) or []) if p.startswith(document.path)]
    return Organization.objects.filter(path=inside[0]).first() if inside else None


def reading_panel(user, document: Document, form: RequireForm | None = None) -> dict | None:
    """What the reader shows about required reading to publishers and to those who follow
    reading (content.publish or members.view somewhere); None for everyone else, at no
    query cost (grants are already known)."""
    if document.state != DocumentState.PUBLISHED:
        return None
    may_publish = can(user, CONTENT_PUBLISH)
    if not (may_publish or can(user, MEMBERS_VIEW)):
        return None
    # Requirements the user follows: inside their scope, or above it (a commune's
    # requirement concerns the secretary of one of its branches too).
    roots = {*(orgs_where(user, CONTENT_PUBLISH) or []), *(orgs_where(user, MEMBERS_VIEW) or [])}
    requirements = []
    for r in document.requirements.select_related("organization").order_by("due_on", "path"):
        r.may_follow = can(user, CONTENT_PUBLISH, r.organization) or can(
            user, MEMBERS_VIEW, r.organization
        )
        if r.may_follow or any(root.startswith(r.path) for root in roots):
            r.may_drop = can(user, CONTENT_PUBLISH, r.organization)
            requirements.append(r)
    panel = {"requirements": requirements, "form": None, "suggestions": []}
    root = (
        _publish_root(user, document)
        if may_publish and document.audience_level == AudienceLevel.ALL
        else None
    )
    if root is not None:
        due = timezone.localdate() + dt.timedelta(days=DEFAULT_DAYS)
        panel["form"] = form or RequireForm(initial={"organization_code": root.code, "due_on": due})
        panel["suggestions"] = [root] + list(
            Organization.objects.filter(
                path__startswith=root.path, depth=root.depth + 1, valid_to__isnull=True
            ).order_by("path")[:MAX_SUGGESTIONS]
        )
    return panel


@require_POST
def require(request, pk: int):
    """Mark the document required for a subtree by a date (content.publish there)."""
    user = request.user
    document = get_document_for_user(user, pk)
    if not can(user, CONTENT_PUBLISH):
        raise PermissionDenied(gettext("Bạn không có quyền yêu cầu đọc văn bản."))
    form = RequireForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["organization_code"]
        org = find_organization_by_code(user, code, CONTENT_PUBLISH)
        if org is None:
            form.add_error(
                "organization_code",
                gettext("Tổ chức phải đọc: mã không có hoặc ngoài phạm vi của bạn."),
            )
        else:
            ok, requirement = call_service(
                form,
                services.require_reading,
                actor=user,
                document=document,
                organization=org,
                due_on=form.cleaned_data["due_on"],
                request=request,
            )
            if ok:
                messages.success(
                    request,
                    gettext("Đã yêu cầu %(org)s đọc văn bản, hạn %(day)s.")
                    % {"org": org.name, "day": f"{requirement.due_on:%d/%m/%Y}"},
                )
                return redirect("documents:detail", pk=document.pk)
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, message)
    return redirect("documents:detail", pk=document.pk)


@require_POST
def drop(request, pk: int, requirement_pk: int):
    user = request.user
    document = get_document_for_user(user, pk)
    requirement = (
        RequiredReading.objects.select_related("organization", "document")
        .filter(document=document, pk=requirement_pk)
        .first()
    )
    if requirement is None:
        raise Http404("Không tìm thấy yêu cầu đọc.")
    ok, _ = call_with_message(
        request,
        partial(services.drop_requirement, request=request),
        actor=user,
        requirement=requirement,
    )
    if ok:
        messages.success(
            request,
            gettext("Đã bỏ yêu cầu đọc cho %(org)s.") % {"org": requirement.organization.name},
        )
    return redirect("documents:detail", pk=document.pk)


@require_GET
def coverage(request, pk: int):
    """Read / not read per child of an organisation; at a branch, the names (members.view
    over the branch only)."""
    user = request.user
    document = get_document_for_user(user, pk)
    try:
        requirements = requirements_of(document)
        org = get_coverage_org_for_user(user, document, request.GET.get("org"), requirements)
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    result = reading_coverage(document, org, names=can(user, MEMBERS_VIEW, org))
    # The requirement that applies here: the nearest one at or above the organisation.
    requirement = nearest_requirement(requirements, org)
    # Way back up: the ancestors inside the audience the user may also follow.
    trail = [
        o
        for o in Organization.objects.filter(
            path__in=ancestors_or_self(org.path), path__startswith=document.path
        )
        .exclude(pk=org.pk)
        .order_by("path")
        if can(user, CONTENT_PUBLISH, o) or can(user, MEMBERS_VIEW, o)
    ]
    return render(
        request,
        "documents/document_coverage.html",
        {
            "document": document,
            "org": org,
            "coverage": result,
            "requirement": requirement,
            "trail": trail,
            "today": timezone.localdate(),
        },
    )
