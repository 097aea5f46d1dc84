from django.conf import settings
from django.contrib import admin
from django.urls import include, path

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
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
if settings.SOTAY_ADMIN_ENABLED:
    urlpatterns.append(path("quan-tri/", admin.site.urls))
