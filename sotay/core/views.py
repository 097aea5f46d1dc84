"""The home shell and the sections that later features fill."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from sotay.core import home_page
from sotay.news import feed, feed_cache


@require_GET
def home(request):
    """The home feed (news.feed): pinned and required first, then newest first; further
    pages by keyset (`?sau=`), as an htmx fragment when scrolled to, or a full page
    without JavaScript. The first page is kept whole per user while nothing on it
    changes (core.home_page)."""
    user = request.user
    cursor = feed.decode_cursor(request.GET.get("sau"))
    if request.htmx and cursor is not None:
        items, next_cursor = feed.stream(user, cursor)
        return render(
            request, "news/_feed_items.html", {"items": items, "next_cursor": next_cursor}
        )
    print_ = home_page.fingerprint(request) if cursor is None else None
    kept = home_page.serve(request, print_)
    if kept is not None:
        return kept
    member = user.member if user.member_id else None  # loaded with the user (backends.py)
    context = {
        "member": member,
        "organization": member.organization if member else None,
        "later_page": cursor is not None,
    }
    shared = feed_cache.first_page(user) if cursor is None else None
    if shared is not None:
        # The scope's rendered first page with this reader's marks (one statement).
        context["head_html"], context["items_html"], context["more_html"], until = shared
        context["prerendered"] = True
    elif cursor is not None:
        context["head"] = []
        context["items"], context["next_cursor"] = feed.stream(user, cursor)
    else:
        context["head"], context["items"], context["next_cursor"] = feed.first_page(user)
    if print_ is None:  # not kept; otherwise the shared cache is on and `shared` is set
        return render(request, "core/home.html", context)
    html = render_to_string(
        "core/home.html", {**context, "csrf_token": home_page.CSRF_MARK}, request
    )
    return home_page.respond(request, html, home_page.store(request, print_, html, until))


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
