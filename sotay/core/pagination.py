"""Keyset-free simple paging with a hard cap, for list pages and the API."""

from dataclasses import dataclass

from django.core.paginator import Paginator


@dataclass
class Page:
    items: list
    number: int
    has_next: bool
    has_previous: bool
    total: int | None


def page_of(queryset, page: int | str | None, per_page: int = 50, count: bool = True) -> Page:
    """Slice one page. With count=False the total is not computed (one query fewer) and
    `has_next` is found by fetching one extra row."""
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    if count:
        paginator = Paginator(queryset, per_page)
        p = paginator.get_page(number)
        return Page(list(p.object_list), p.number, p.has_next(), p.has_previous(), paginator.count)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Page(rows[:per_page], number, len(rows) > per_page, number > 1, None)
