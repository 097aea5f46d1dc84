from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path, reverse

from config.api import api

handler403 = "sotay.core.errors_views.forbidden"
handler404 = "sotay.core.errors_views.not_found"

urlpatterns = [
    path("", include("sotay.core.urls")),
    path("tai-khoan/", include("sotay.accounts.urls")),
    path("to-chuc/", include("sotay.organizations.urls")),
    path("dang-vien/", include("sotay.members.urls")),
    path("nhat-ky/", include("sotay.audit.urls")),
    path("thong-bao/", include("sotay.notifications.urls")),
    path("thong-ke/", include("sotay.reports.urls")),
    path("van-ban/", include("sotay.documents.urls")),
    path("so-tay/", include("sotay.handbook.urls")),
    path("tin-tuc/", include("sotay.news.urls")),
    path("hoc-tap/", include("sotay.learning.urls")),
    path("sinh-hoat/", include("sotay.meetings.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
if settings.SOTAY_ADMIN_ENABLED:
    # The admin signs in through the site's own sign-in (lock-out, 2FA, audit), never
    # through Django's bare admin login form.
    admin.site.login = login_not_required(
        lambda request, extra_context=None: redirect_to_login(
            request.GET.get("next", "/quan-tri/"), reverse("accounts:login")
        )
    )
    urlpatterns.append(path("quan-tri/", admin.site.urls))
