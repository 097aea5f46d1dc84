from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from sotay.accounts.permissions import NOTICES_SEND, can
from sotay.core.pagination import page_of
from sotay.core.services import call_service
from sotay.notifications import services
from sotay.notifications.access import get_receipt_for_user
from sotay.notifications.forms import NoticeForm
from sotay.notifications.queries import receipts_visible_to
from sotay.organizations.access import get_organization_for_user


@require_GET
def notice_list(request):
    page = page_of(receipts_visible_to(request.user), request.GET.get("page"), 30, count=False)
    return render(request, "notifications/notice_list.html", {"page": page})


@require_POST
def read(request, pk: int):
    receipt = get_receipt_for_user(request.user, pk)
    services.mark_read(user=request.user, receipt=receipt)
    if receipt.notice.url:
        return redirect(receipt.notice.url)
    return redirect("notifications:list")


@require_POST
def read_all(request):
    services.mark_all_read(user=request.user)
    return redirect("notifications:list")


def send(request, org_id: int):
    org = get_organization_for_user(request.user, org_id)
    if not can(request.user, NOTICES_SEND, org):
        raise PermissionDenied("Bạn không có quyền gửi thông báo cho tổ chức này.")
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, notice = call_service(
            form,
            services.send_notice,
            actor=request.user,
            org=org,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
        if ok:
            messages.success(request, f"Đã gửi thông báo tới {notice.recipient_count} người.")
            return redirect("organizations:detail", pk=org.pk)
    return render(request, "notifications/notice_send.html", {"org": org, "form": form})
