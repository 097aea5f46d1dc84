"""Writing audit entries. Every other app calls `record`; nothing edits or deletes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sotay.audit.models import AuditEntry
from sotay.core.http import client_ip


def record(
    *,
    action: str,
    actor=None,
    request: HttpRequest | None = None,
    ip: str | None = None,
    target=None,
    target_label: str = "",
    org_path: str = "",
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one entry. `target` may be any model instance; its type, id and label are
    copied so the entry still reads after the object changes."""
    if request is not None:
        ip = ip or client_ip(request)
        if (
            actor is None
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            actor = request.user
    target_type = target_id = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
        target_label = target_label or str(target)
        if not org_path:
            org_path = getattr(target, "org_path", "") or getattr(target, "path", "")
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "",
        ip=ip or None,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:255],
        org_path=org_path,
        changes=changes or {},
        note=note[:500],
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field → [before, after] for every field that changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}
