"""Bearer-token authentication for the JSON API."""

from ninja.security import HttpBearer

from sotay.accounts.models import AccountStatus


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        from sotay.accounts.services import user_for_token

        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


def require_active(request) -> None:
    """Pending accounts may hold a token only to see that they are pending."""
    from ninja.errors import HttpError

    if request.user.status != AccountStatus.ACTIVE:
        raise HttpError(403, "Tài khoản đang chờ phê duyệt.")
