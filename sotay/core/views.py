"""The home shell and the sections that later features fill."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sotay.news import feed


@require_GET
def home(request):
    """The home feed (news.feed): pinned and required first, then newest first; further
    pages by keyset (`?sau=`), as an htmx fragment when scrolled to, or a full page
    without JavaScript."""
    user = request.user
    cursor = feed.decode_cursor(request.GET.get("sau"))
    if request.htmx and cursor is not None:
        items, next_cursor = feed.stream(user, cursor)
        return render(
            request, "news/_feed_items.html", {"items": items, "next_cursor": next_cursor}
        )
    if cursor is not None:
        head = []
        items, next_cursor = feed.stream(user, cursor)
    else:
        head, items, next_cursor = feed.first_page(user)
    member = user.member if user.member_id else None  # loaded with the user (backends.py)
    return render(
        request,
        "core/home.html",
        {
            "member": member,
            "organization": member.organization if member else None,
            "head": head,
            "items": items,
            "next_cursor": next_cursor,
            "later_page": cursor is not None,
        },
    )


SECTIONS = {
    "meetings": ("Sinh hoạt", "Lịch sinh hoạt chi bộ, điểm danh, biểu quyết và biên bản."),
}


@require_GET
def section(request, key: str):
    title, description = SECTIONS[key]
    return render(
        request, "core/section.html", {"title": title, "description": description, "key": key}
    )


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
