"""Member reads, limited to the subtrees where the user holds members.view."""

import datetime as dt

from django.db import connection
from django.db.models import BooleanField, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from sotay.accounts.permissions import MEMBERS_VIEW, scope_q
from sotay.core.dates import add_months
from sotay.core.text import fold
from sotay.members.models import ACTIVE_STATUSES, Member
from sotay.members.reference import AGE_BANDS, PARTY_AGE_BANDS


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


def _band_range(bands, key: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The (after, on_or_before) date range of a band of whole years counted back from
    today: someone is N years old from their Nth birthday to the day before the next."""
    for band in bands:
        if band.key == key:
            after = add_months(today, -12 * (band.high + 1)) if band.high is not None else None
            on_or_before = add_months(today, -12 * band.low) if band.low is not None else None
            return after, on_or_before
    return None, None


def filter_members(queryset: QuerySet[Member], f: dict, today: dt.date) -> QuerySet[Member]:
    """Apply the list filters (MemberFilterForm.values()): status, sex, age band,
    ethnicity, political theory, party-age band. Party age counts from the admission
    decision, or from the ceremony when the decision date was never recorded."""
    if f.get("status") == "dang-sinh-hoat":
        queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    elif f.get("status"):
        queryset = queryset.filter(status=f["status"])
    if f.get("sex"):
        queryset = queryset.filter(sex=f["sex"])
    if f.get("ethnicity"):
        queryset = queryset.filter(ethnicity=f["ethnicity"])
    if f.get("theory"):
        queryset = queryset.filter(political_theory="" if f["theory"] == "chua" else f["theory"])
    if f.get("age"):
        after, on_or_before = _band_range(AGE_BANDS, f["age"], today)
        if after:
            queryset = queryset.filter(birth_date__gt=after)
        if on_or_before:
            queryset = queryset.filter(birth_date__lte=on_or_before)
    if f.get("party_age"):
        after, on_or_before = _band_range(PARTY_AGE_BANDS, f["party_age"], today)
        since = Coalesce("admission_decided_on", "joined_on")
        queryset = queryset.alias(party_since=since).filter(party_since__isnull=False)
        if after:
            queryset = queryset.filter(party_since__gt=after)
        if on_or_before:
            queryset = queryset.filter(party_since__lte=on_or_before)
    return queryset


def preselected(queryset: QuerySet[Member]) -> QuerySet[Member]:
    """The same rows, found first through the subtree index and handed to the sorted page
    as an id array. For a filtered list of a commune PostgreSQL otherwise walks the whole
    city's name index looking for matches (65 ms at Hà Nội scale; 11 ms this way). Only
    for subtrees below the city: over the whole city the array would hold 10,000s of ids."""
    if connection.vendor != "postgresql":
        return queryset
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    in_array = RawSQL(  # noqa: S611 - SQL compiled by the ORM; values stay parameters
        f"members_member.id = ANY(ARRAY({sql}))", params, output_field=BooleanField()
    )
    return Member.objects.filter(in_array)


def work_queues_for(user, today) -> dict[str, list]:
    """The branch secretary's to-do lists, each limited to the subtrees where the user
    records member events: probations ending within 30 days or overdue for recognition,
    temporary attachments ending within 30 days (outgoing and incoming), transfers
    waiting to be accepted (incoming) or still in transit (outgoing)."""
    from sotay.accounts.permissions import MEMBERS_LIFECYCLE
    from sotay.core.dates import add_working_days
    from sotay.members.models import MemberStatus

    soon = today + dt.timedelta(days=30)
    home = scope_q(user, MEMBERS_LIFECYCLE, field="org_path")
    base = Member.objects.select_related(
        "organization", "temp_organization", "transit_organization"
    )
    probation = list(
        base.filter(home, status=MemberStatus.PROBATIONARY, probation_ends_on__lte=soon).order_by(
            "probation_ends_on"
        )[:200]
    )
    for m in probation:
        # The branch must consider recognition within 30 working days of the probation end.
        m.recognition_due = add_working_days(m.probation_ends_on, 30)
        m.overdue = m.recognition_due < today
    temp_filter = scope_q(user, MEMBERS_LIFECYCLE, field="temp_organization__path")
    transit_filter = scope_q(user, MEMBERS_LIFECYCLE, field="transit_organization__path")
    return {
        "probation": probation,
        "temp_out": list(base.filter(home, temp_until__lte=soon).order_by("temp_until")[:200]),
        "temp_in": list(
            base.filter(temp_filter, temp_until__lte=soon).order_by("temp_until")[:200]
        ),
        "transfers_in": list(base.filter(transit_filter).order_by("name_sort")[:200]),
        "transfers_out": list(
            base.filter(home, transit_organization__isnull=False).order_by("name_sort")[:200]
        ),
    }


def open_corrections_for(user):
    """Open correction requests of members attached where the user records events or
    edits records."""
    from sotay.accounts.permissions import MEMBERS_EDIT, MEMBERS_LIFECYCLE
    from sotay.members.models import CorrectionRequest, CorrectionStatus

    scope = scope_q(user, MEMBERS_LIFECYCLE, field="member__org_path") | scope_q(
        user, MEMBERS_EDIT, field="member__org_path"
    )
    return (
        CorrectionRequest.objects.filter(status=CorrectionStatus.OPEN)
        .filter(scope)
        .select_related("member", "member__organization")
        .order_by("created_at")
    )
