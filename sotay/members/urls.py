from django.urls import path

from sotay.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("viec-can-lam/", views.work_queues, name="work_queues"),
    path("de-nghi-sua/", views.request_correction, name="request_correction"),
    path("de-nghi-sua/<int:pk>/xu-ly/", views.resolve_correction, name="resolve_correction"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/su-kien/", views.record_event, name="record_event"),
]
