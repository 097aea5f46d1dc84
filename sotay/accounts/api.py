"""Account endpoints: token sign-in for the mobile app, token list/revoke, `me`."""

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from sotay.accounts import services
from sotay.accounts.api_auth import TokenAuth
from sotay.accounts.models import AccountStatus, ApiToken
from sotay.accounts.permissions import grants_for
from sotay.accounts.schemas import ErrorOut, MeOut, TokenIn, TokenInfo, TokenOut
from sotay.core.errors import ServiceError
from sotay.core.http import client_ip

router = Router(tags=["Tài khoản"])


@router.post(
    "/auth/token", auth=None, response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}
)
def create_token(request: HttpRequest, payload: TokenIn):
    """Sign in with phone or card number + password (+ TOTP code when required) and
    receive a bearer token. The token is shown once; only its hash is stored."""
    ip = client_ip(request)
    try:
        user = services.sign_in(identifier=payload.identifier, password=payload.password, ip=ip)
        if user.status == AccountStatus.PENDING:
            return Status(403, {"detail": "Tài khoản đang chờ phê duyệt."})
        if services.needs_second_factor(user):
            if not user.has_totp:
                return Status(
                    403,
                    {
                        "detail": "Tài khoản cần bật xác thực hai lớp trên trang web trước khi dùng ứng dụng."
                    },
                )
            services.verify_totp(user=user, code=payload.otp or "", ip=ip)
    except ServiceError as exc:
        return Status(401, {"detail": exc.message})
    token, plain = services.create_api_token(user=user, name=payload.device_name or "", ip=ip)
    services.record_sign_in(user=user, ip=ip, method="API")
    return Status(200, {"id": token.pk, "token": plain, "expires_at": token.expires_at})


@router.get("/auth/tokens", auth=TokenAuth(), response=list[TokenInfo])
def list_tokens(request: HttpRequest):
    return list(ApiToken.objects.filter(user=request.user))


@router.delete("/auth/tokens/{token_id}", auth=TokenAuth(), response={204: None, 404: ErrorOut})
def revoke_token(request: HttpRequest, token_id: int):
    services.revoke_api_token(user=request.user, token_id=token_id, ip=client_ip(request))
    return Status(204, None)


@router.get("/me", auth=TokenAuth(), response=MeOut)
def me(request: HttpRequest):
    user = request.user
    if user.status != AccountStatus.ACTIVE:
        raise HttpError(403, "Tài khoản đang chờ phê duyệt.")
    return {
        "id": user.pk,
        "full_name": user.full_name,
        "status": user.status,
        "member_id": user.member_id,
        "organization_id": user.member.organization_id if user.member_id else None,
        "roles": [{"role": g.role, "organization_id": g.org_id} for g in grants_for(user)],
        "two_factor": user.has_totp,
    }
