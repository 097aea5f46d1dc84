"""Member reads, limited to the subtrees where the user holds members.view."""

from django.db.models import QuerySet

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
