"""Reads of news posts, scoped at the source.

Who reads what:
  * a reader sees published posts whose time has come (`publish_at <= now`) addressed to
    an organisation that is an ancestor-or-self of any organisation where they are a
    member or hold a role: their branch's posts and those of every level above it, never
    a sibling subtree's;
  * users holding `content.publish` (office, admin) also see every state — drafts,
    scheduled and withdrawn posts with their reason — in the subtree where they hold it;
  * a superuser sees everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from sotay.accounts.permissions import (
    CONTENT_PUBLISH,
    ROLE_PERMISSIONS,
    grants_for,
    is_superadmin,
    scope_q,
)
from sotay.documents.queries import ancestors_or_self
from sotay.news.models import Post, PostRead, PostState


def live_q(now=None) -> Q:
    """Published and due: what readers see."""
    return Q(state=PostState.PUBLISHED, publish_at__lte=now or timezone.now())


def reader_paths(user) -> list[str]:
    """Audience paths whose posts `user` reads: ancestors-or-self of every organisation
    where the user is a member or holds a role."""
    paths: set[str] = set()
    for grant in grants_for(user):
        paths.update(ancestors_or_self(grant.path))
    return sorted(paths)


def posts_visible_to(user) -> QuerySet[Post]:
    """Posts `user` may open, in any state they may see them in."""
    qs = Post.objects.select_related("audience_org")
    if is_superadmin(user):
        return qs
    q = live_q() & Q(path__in=reader_paths(user))
    if any(CONTENT_PUBLISH in ROLE_PERMISSIONS[g.role] for g in grants_for(user)):
        q |= scope_q(user, CONTENT_PUBLISH, field="path")
    return qs.filter(q)


def editable_by(user, qs: QuerySet[Post]) -> QuerySet[Post]:
    return qs.filter(scope_q(user, CONTENT_PUBLISH, field="path"))


def newest_first(qs: QuerySet[Post]) -> QuerySet[Post]:
    """Pinned first, then by publication time (drafts by creation time), newest first."""
    return qs.order_by("-pinned", Coalesce("publish_at", "created_at").desc(), "-pk")


def read_ids(user, posts) -> set[int]:
    """Which of `posts` the user has opened (one query)."""
    ids = [p.pk for p in posts]
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        PostRead.objects.filter(user=user, post_id__in=ids).values_list("post_id", flat=True)
    )
