"""Reading the audit trail, scoped to the subtrees where the reader holds audit.view."""

from django.db.models import QuerySet

from sotay.accounts.permissions import AUDIT_VIEW, scope_q
from sotay.audit.models import AuditEntry


def entries_visible_to(user) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(scope_q(user, AUDIT_VIEW, field="org_path"))
