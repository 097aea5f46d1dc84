"""Account pages: sign-in (with second factor), registration, codes, profile, tokens,
and the branch secretary's account management. Each view parses input, calls one
service and renders."""

import time

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from sotay.accounts import forms, services
from sotay.accounts.access import get_account_for_manager
from sotay.accounts.models import AccountStatus, ApiToken, User
from sotay.accounts.permissions import ACCOUNTS_MANAGE, can, grants_for
from sotay.accounts.queries import pending_registrations_for
from sotay.audit.services import record
from sotay.core.http import client_ip
from sotay.core.services import call_service, call_with_message
from sotay.members.models import ACTIVE_STATUSES, Member
from sotay.organizations.access import get_organization_for_user

BACKEND = "sotay.accounts.backends.IdentifierBackend"
PRE_2FA_KEY = "pre_2fa_user"
PRE_2FA_SECONDS = 300
SETUP_SECRET_KEY = "totp_setup_secret"  # noqa: S105 - a session key name


def _safe_next(request, default="core:home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _complete_sign_in(request, user: User, method: str):
    request.session.pop(PRE_2FA_KEY, None)
    request.session.pop(SETUP_SECRET_KEY, None)
    login(request, user, backend=BACKEND)
    services.record_sign_in(user=user, ip=client_ip(request), method=method)
    if user.status == AccountStatus.PENDING:
        return redirect("accounts:pending")
    return redirect(_safe_next(request))


def _pre_2fa_user(request) -> User | None:
    data = request.session.get(PRE_2FA_KEY)
    if not data or time.time() - data.get("at", 0) > PRE_2FA_SECONDS:
        return None
    return User.objects.filter(pk=data["id"], is_active=True).select_related("member").first()


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, user = call_service(
            form,
            services.sign_in,
            identifier=form.cleaned_data["identifier"],
            password=form.cleaned_data["password"],
            ip=client_ip(request),
        )
        if ok:
            if services.needs_second_factor(user):
                request.session.cycle_key()
                request.session[PRE_2FA_KEY] = {"id": user.pk, "at": time.time()}
                nxt = request.POST.get("next", "")
                target = "accounts:verify_2fa" if user.has_totp else "accounts:setup_2fa"
                return redirect(reverse(target) + (f"?next={nxt}" if nxt else ""))
            return _complete_sign_in(request, user, "mật khẩu")
    return render(
        request, "accounts/sign_in.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_2fa(request):
    user = _pre_2fa_user(request)
    if user is None:
        messages.error(request, "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.")
        return redirect("accounts:login")
    form = forms.OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = call_service(
            form,
            services.verify_totp,
            user=user,
            code=form.cleaned_data["code"],
            ip=client_ip(request),
        )
        if ok:
            return _complete_sign_in(request, user, "mật khẩu + mã xác thực")
    return render(
        request, "accounts/verify_2fa.html", {"form": form, "next": request.GET.get("next", "")}
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def setup_2fa(request):
    """Enrol an authenticator app. Reached either during sign-in (a role that must use
    2FA and has none yet) or from the profile page."""
    pending_user = None if request.user.is_authenticated else _pre_2fa_user(request)
    user = request.user if request.user.is_authenticated else pending_user
    if user is None:
        return redirect("accounts:login")
    secret = request.session.get(SETUP_SECRET_KEY) or services.new_totp_secret()
    request.session[SETUP_SECRET_KEY] = secret
    form = forms.OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = call_service(
            form,
            services.enable_totp,
            user=user,
            secret=secret,
            code=form.cleaned_data["code"],
            ip=client_ip(request),
        )
        if ok:
            request.session.pop(SETUP_SECRET_KEY, None)
            if pending_user is not None:
                return _complete_sign_in(
                    request, pending_user, "mật khẩu + mã xác thực (đăng ký mới)"
                )
            messages.success(request, "Đã bật xác thực hai lớp.")
            return redirect("accounts:profile")
    uri = services.totp_uri(user, secret)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#111", light="#fff")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request,
        "accounts/setup_2fa.html",
        {"form": form, "qr_svg": qr_svg, "secret": grouped, "forced": pending_user is not None},
    )


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        record(action="auth.logout", request=request, target=request.user)
    logout(request)
    response = redirect("accounts:login")
    # The installable app keeps bookmarked documents and its shell on the device (see
    # sotay/core/pwa.py): a shared phone must not show them to the next person.
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    form = forms.RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, user = call_service(
            form, services.register_account, card_number=d["card_number"], cccd=d["cccd"], birth_date=d["birth_date"],
            phone=d["phone"], password=d["password"], ip=client_ip(request),
        )  # fmt: skip
        if ok:
            return _complete_sign_in(request, user, "đăng ký")
    return render(request, "accounts/register.html", {"form": form})


def pending(request):
    return render(request, "accounts/pending.html", {"account": request.user})


@login_not_required
@require_http_methods(["GET", "POST"])
def redeem_code(request):
    form = forms.RedeemCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _ = call_service(
            form,
            services.redeem_code,
            identifier=d["identifier"],
            code=d["code"],
            new_password=d["new_password"],
            ip=client_ip(request),
        )
        if ok:
            messages.success(request, "Đã đặt mật khẩu. Mời đồng chí đăng nhập.")
            return redirect("accounts:login")
    return render(request, "accounts/redeem_code.html", {"form": form})


@require_http_methods(["GET", "POST"])
def change_password(request):
    form = forms.ChangePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, user = call_service(
            form,
            services.change_password,
            user=request.user,
            old_password=d["old_password"],
            new_password=d["new_password"],
            ip=client_ip(request),
        )
        if ok:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, user)
            messages.success(request, "Đã đổi mật khẩu.")
            return redirect("accounts:profile")
    return render(request, "accounts/change_password.html", {"form": form})


def profile(request):
    user = request.user
    grants = [g for g in grants_for(user) if g.role != "member"]
    from sotay.organizations.models import Organization

    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=[g.org_id for g in grants])}
    from sotay.accounts.models import Role

    role_rows = [(Role(g.role).label, orgs.get(g.org_id)) for g in grants]
    return render(
        request,
        "accounts/profile.html",
        {"account": user, "member": user.member, "role_rows": role_rows},
    )


@require_http_methods(["GET", "POST"])
def api_tokens(request):
    form = forms.TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        _, created = services.create_api_token(
            user=request.user, name=form.cleaned_data["name"], ip=client_ip(request)
        )
        form = forms.TokenForm()  # a second tap must not create a duplicate with the same name
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "created": created}
    )


@require_POST
def revoke_api_token(request, pk: int):
    services.revoke_api_token(user=request.user, token_id=pk, ip=client_ip(request))
    messages.success(request, "Đã thu hồi mã truy cập.")
    return redirect("accounts:api_tokens")


# ----- secretary: registrations and branch accounts --------------------------------


def registrations(request):
    if not can(request.user, ACCOUNTS_MANAGE):
        raise PermissionDenied("Bạn không có quyền quản lý tài khoản.")
    rows = list(pending_registrations_for(request.user)[:200])
    return render(
        request,
        "accounts/registration_list.html",
        {"rows": rows, "reject_form": forms.RejectForm()},
    )


@require_POST
def approve(request, pk: int):
    account = get_account_for_manager(request.user, pk)
    ok, _ = call_with_message(
        request, services.approve_registration, actor=request.user, user=account
    )
    if ok:
        messages.success(request, f"Đã phê duyệt tài khoản của {account.full_name}.")
    return redirect("accounts:registrations")


@require_POST
def reject(request, pk: int):
    account = get_account_for_manager(request.user, pk)
    form = forms.RejectForm(request.POST)
    if form.is_valid():
        ok, _ = call_service(
            form,
            services.reject_registration,
            actor=request.user,
            user=account,
            reason=form.cleaned_data["reason"],
        )
        if ok:
            messages.success(request, f"Đã từ chối đăng ký của {account.full_name}.")
            return redirect("accounts:registrations")
    for errs in form.errors.values():
        for e in errs:
            messages.error(request, e)
    return redirect("accounts:registrations")


def branch_accounts(request, org_id: int):
    org = get_organization_for_user(request.user, org_id)
    if not can(request.user, ACCOUNTS_MANAGE, org):
        raise PermissionDenied("Bạn không có quyền quản lý tài khoản của tổ chức này.")
    members = (
        Member.objects.filter(org_path__startswith=org.path, status__in=ACTIVE_STATUSES)
        .select_related("account")
        .order_by("name_sort")[:500]
    )
    lock_since = services.lockout_window_start()
    return render(
        request,
        "accounts/branch_accounts.html",
        {"org": org, "members": members, "lock_since": lock_since},
    )


@require_POST
def create_branch_accounts(request, org_id: int):
    org = get_organization_for_user(request.user, org_id)
    ok, sheet = call_with_message(
        request, services.create_branch_accounts, actor=request.user, branch=org
    )
    if not ok:
        return redirect("accounts:branch_accounts", org_id=org.pk)
    return render(request, "accounts/activation_sheet.html", {"org": org, "sheet": sheet})


@require_POST
def unlock(request, pk: int):
    account = get_account_for_manager(request.user, pk)
    ok, _ = call_with_message(request, services.unlock_account, actor=request.user, user=account)
    if ok:
        messages.success(request, f"Đã mở khóa tài khoản của {account.full_name}.")
    return redirect("accounts:branch_accounts", org_id=account.member.organization_id)


@require_POST
def issue_reset_code(request, pk: int):
    account = get_account_for_manager(request.user, pk)
    ok, code = call_with_message(
        request, services.issue_reset_code, actor=request.user, user=account
    )
    if not ok:
        return redirect("accounts:branch_accounts", org_id=account.member.organization_id)
    return render(request, "accounts/reset_code.html", {"account": account, "code": code})


def grant_roles(request, org_id: int):
    """Grant an explicit role on an organisation (office, inspector, …)."""
    from sotay.accounts.models import RoleGrant
    from sotay.accounts.permissions import ROLES_GRANT

    org = get_organization_for_user(request.user, org_id)
    if not can(request.user, ROLES_GRANT, org):
        raise PermissionDenied("Bạn không có quyền cấp vai trò ở tổ chức này.")
    form = forms.GrantRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = services.find_user_by_identifier(form.cleaned_data["identifier"])
        if target is None:
            form.add_error(
                "identifier", "Không tìm thấy tài khoản với số điện thoại hoặc số thẻ này."
            )
        else:
            ok, _ = call_service(
                form,
                services.grant_role,
                actor=request.user,
                user=target,
                org=org,
                role=form.cleaned_data["role"],
            )
            if ok:
                messages.success(request, f"Đã cấp vai trò cho {target.full_name}.")
                return redirect("accounts:grant_roles", org_id=org.pk)
    grants = RoleGrant.objects.filter(organization=org, ends_on__isnull=True).select_related("user")
    return render(
        request, "accounts/role_grants.html", {"org": org, "form": form, "grants": grants}
    )


@require_POST
def end_grant(request, pk: int):
    from sotay.accounts.models import RoleGrant

    grant = get_object_or_404(RoleGrant.objects.select_related("organization", "user"), pk=pk)
    get_organization_for_user(request.user, grant.organization_id)
    ok, _ = call_with_message(request, services.end_role_grant, actor=request.user, grant=grant)
    if ok:
        messages.success(request, "Đã kết thúc vai trò.")
    return redirect("accounts:grant_roles", org_id=grant.organization_id)
