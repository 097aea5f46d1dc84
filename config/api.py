"""The one NinjaAPI: /api/v1/, OpenAPI docs at /api/v1/docs."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from sotay.accounts.api import router as accounts_router
from sotay.accounts.services import TOKEN_INVALID
from sotay.core.errors import ServiceError
from sotay.notifications.api import router as notifications_router
from sotay.organizations.api import router as organizations_router

api = NinjaAPI(
    title="Sổ tay đảng viên điện tử API",
    version="1",
    description="API cho ứng dụng di động. Đăng nhập bằng POST /auth/token, gửi `Authorization: Bearer <mã>`.",
    urls_namespace="api",
)
api.add_router("", accounts_router)
api.add_router("", organizations_router)
api.add_router("", notifications_router)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(
        request,
        {"detail": TOKEN_INVALID},
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Không tìm thấy."}, status=404)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)
