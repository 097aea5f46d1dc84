from django.urls import path

from sotay.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.organization, name="organization"),
    path("<int:pk>/xlsx/", views.organization_xlsx, name="organization_xlsx"),
]
