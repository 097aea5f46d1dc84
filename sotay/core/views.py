"""The home shell and the sections that later features fill."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sotay.notifications.queries import receipts_visible_to


@require_GET
def home(request):
    user = request.user
    member = user.member if user.member_id else None
    receipts = list(receipts_visible_to(user)[:5])
    return render(
        request,
        "core/home.html",
        {
            "member": member,
            "receipts": receipts,
            "organization": member.organization if member else None,
        },
    )


SECTIONS = {
    "meetings": ("Sinh hoạt", "Lịch sinh hoạt chi bộ, điểm danh, biểu quyết và biên bản."),
    "learning": ("Học tập", "Chương trình học tập nghị quyết, bài giảng và trắc nghiệm."),
}


@require_GET
def section(request, key: str):
    title, description = SECTIONS[key]
    return render(
        request, "core/section.html", {"title": title, "description": description, "key": key}
    )


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
