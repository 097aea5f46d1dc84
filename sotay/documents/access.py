"""Loading a document named by user input. Missing and out-of-scope both answer 404."""

from django.http import Http404

from sotay.accounts.permissions import CONTENT_PUBLISH, MEMBERS_VIEW, can, orgs_where
from sotay.core.errors import PermissionDenied
from sotay.documents.models import Attachment, Document
from sotay.documents.queries import documents_visible_to
from sotay.organizations.models import Organization


def get_document_for_user(user, pk) -> Document:
    try:
        return documents_visible_to(user).get(pk=int(pk))
    except (Document.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy văn bản.") from None


def get_attachment_for_user(user, document_pk, pk) -> Attachment:
    document = get_document_for_user(user, document_pk)
    try:
        attachment = document.attachments.get(pk=int(pk))
    except (Attachment.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy tệp đính kèm.") from None
    attachment.document = document
    return attachment


def _may_follow(user, org) -> bool:
    return can(user, CONTENT_PUBLISH, org) or can(user, MEMBERS_VIEW, org)


def get_coverage_org_for_user(
    user, document: Document, org_pk=None, requirements: list | None = None
) -> Organization:
    """The organisation whose reading coverage of `document` the user asked for (or, with
    no `org_pk`, the one to show first). Following reading needs content.publish or
    members.view over the organisation, which must be inside the document's audience.

    Holding neither permission anywhere answers 403 (the document itself is visible); an
    organisation that is missing, outside the audience or outside the user's scope 404.
    With no `org_pk`: the shallowest requirement the user may follow, else the user's
    scope root inside a requirement's subtree, else the audience organisation or the
    user's scope root inside it. `requirements`: the document's, ordered by path, when
    the caller has them already."""
    if not (can(user, CONTENT_PUBLISH) or can(user, MEMBERS_VIEW)):
        raise PermissionDenied("Bạn không có quyền theo dõi tình hình đọc văn bản.")
    if org_pk not in (None, ""):
        try:
            org = Organization.objects.get(pk=int(org_pk))
        except (Organization.DoesNotExist, TypeError, ValueError):
            raise Http404("Không tìm thấy tổ chức.") from None
        if not org.path.startswith(document.path) or not _may_follow(user, org):
            raise Http404("Không tìm thấy tổ chức.")
        return org
    if requirements is None:
        requirements = requirements_of(document)
    for requirement in requirements:
        if _may_follow(user, requirement.organization):
            return requirement.organization
    publish_roots = orgs_where(user, CONTENT_PUBLISH) or []
    view_roots = orgs_where(user, MEMBERS_VIEW) or []
    roots = sorted({*publish_roots, *view_roots})
    for prefix in [r.path for r in requirements] + [document.path]:
        inside = [root for root in roots if root.startswith(prefix)]
        if prefix == document.path and _may_follow(user, document.audience_org):
            return document.audience_org
        if inside:
            return Organization.objects.get(path=inside[0])
    raise PermissionDenied("Văn bản không gửi tới tổ chức nào trong phạm vi bạn theo dõi.")


def requirements_of(document: Document) -> list:
    """The document's reading requirements with their organisations, shallowest first."""
    return list(document.requirements.select_related("organization").order_by("path"))


def nearest_requirement(requirements: list, org: Organization):
    """The requirement that applies to `org`: the deepest one at or above it."""
    above = [r for r in requirements if org.path.startswith(r.path)]
    return max(above, key=lambda r: len(r.path)) if above else None
