"""The one NinjaAPI: /api/v1/, OpenAPI docs at /api/v1/docs."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from sotay.accounts.api import router as accounts_router
from sotay.accounts.services import TOKEN_INVALID
from sotay.core.api_errors import PARSE_FAILED, validation_detail
from sotay.core.errors import ServiceError
from sotay.documents.api import router as documents_router
from sotay.documents.required_api import router as required_reading_router
from sotay.handbook.api import router as handbook_router
from sotay.learning.api import router as learning_router
from sotay.meetings.api import router as meetings_router
from sotay.meetings.api_minutes import router as meetings_minutes_router
from sotay.members.api import router as members_router
from sotay.news.api import router as news_router
from sotay.notifications.api import router as notifications_router
from sotay.organizations.api import router as organizations_router
from sotay.reports.api import router as reports_router

api = NinjaAPI(
    title="Sổ tay đảng viên điện tử API",
    version="1",
    description="API cho ứng dụng di động. Đăng nhập bằng POST /auth/token, gửi `Authorization: Bearer <mã>`.",
    urls_namespace="api",
)
api.add_router("", accounts_router)
api.add_router("", organizations_router)
api.add_router("", notifications_router)
api.add_router("", members_router)
api.add_router("", reports_router)
api.add_router("", documents_router)
api.add_router("", required_reading_router)
api.add_router("", handbook_router)
api.add_router("", news_router)
api.add_router("", learning_router)
api.add_router("", meetings_router)
api.add_router("", meetings_minutes_router)


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
    body = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(ValidationError)
def invalid_input(request, exc: ValidationError):
    return api.create_response(request, validation_detail(exc.errors), status=422)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # ninja's one English message of its own: a body that is not JSON.
    message = PARSE_FAILED if str(exc).startswith("Cannot parse request body") else str(exc)
    return api.create_response(request, {"detail": message}, status=exc.status_code)
