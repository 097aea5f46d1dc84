"""Gatekeeping for signed-in accounts that are not (yet) allowed to use the app."""

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import resolve

from sotay.accounts.models import AccountStatus

# Pages a pending account may still reach.
_PENDING_ALLOWED = {
    "accounts:pending",
    "accounts:logout",
    "set_language",
    # The installable app's files: they carry no data and the waiting page links them.
    "core:manifest",
    "core:service_worker",
    "core:offline",
}


class LoginRequired(LoginRequiredMiddleware):
    """Django's login-required default, except for the JSON API, which authenticates
    each request by bearer token and answers 401 itself."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class AccountStateMiddleware:
    """A pending account is signed in but holds no rights: every page except the
    waiting page and sign-out sends it there (the API answers 403)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.status != AccountStatus.ACTIVE:
            path = request.path_info
            if path.startswith("/static/"):
                return self.get_response(request)
            if path.startswith("/api/"):
                return JsonResponse({"detail": "Tài khoản đang chờ phê duyệt."}, status=403)
            try:
                name = resolve(path).view_name
            except Exception:
                name = ""
            if name not in _PENDING_ALLOWED:
                return redirect("accounts:pending")
        return self.get_response(request)
