from django.urls import path

from sotay.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/da-doc/", views.read, name="read"),
    path("da-doc-het/", views.read_all, name="read_all"),
    path("gui/<int:org_id>/", views.send, name="send"),
]
