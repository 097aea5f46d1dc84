from django.contrib.auth.decorators import login_not_required
from django.urls import path

from sotay.core import pwa, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", login_not_required(views.healthz), name="healthz"),
    # The installable app: the worker must be served from the root to control every page.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("ngoai-tuyen/", pwa.offline, name="offline"),
]
