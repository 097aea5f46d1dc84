"""Member reads, limited to the subtrees where the user holds members.view."""

from django.db.models import QuerySet, Subquery

from sotay.accounts.permissions import MEMBERS_VIEW, scope_q
from sotay.core.text import fold
from sotay.members.models import Member


def members_visible_to(user) -> QuerySet[Member]:
    return Member.objects.filter(scope_q(user, MEMBERS_VIEW, field="org_path"))


def search_members(queryset: QuerySet[Member], text: str) -> QuerySet[Member]:
    """Diacritic-insensitive name search ("nguyen duc" finds "Nguyễn Đức"); a query of
    digits also matches card numbers. On PostgreSQL a trigram index serves the LIKE."""
    folded = fold(text)
    if not folded:
        return queryset
    if folded.isdigit():
        return queryset.filter(card_number__startswith=folded)
    return queryset.filter(name_folded__contains=folded)


# A name query matching more rows than this is cut to its first SEARCH_CAP matches before
# sorting: sorting every "Nguyễn" or "Vinh" of a city (10,000+ rows) costs 100–300 ms,
# and nobody pages through hundreds of hits; the page asks for a longer query instead.
SEARCH_CAP = 300


def capped(queryset: QuerySet[Member], text: str) -> QuerySet[Member]:
    """Limit a name search to SEARCH_CAP candidate rows, still sorted by name order."""
    if not text.strip():
        return queryset
    candidates = queryset.order_by().values("pk")[:SEARCH_CAP]
    return Member.objects.filter(pk__in=Subquery(candidates))
