from django.urls import path

from sotay.members import views, views_excel

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("viec-can-lam/", views.work_queues, name="work_queues"),
    path("xuat/", views_excel.export_members, name="export"),
    path("nhap/", views_excel.import_members, name="import"),
    path("nhap/ap-dung/", views_excel.apply_import, name="apply_import"),
    path("nhap/mau.xlsx", views_excel.import_template, name="import_template"),
    path("de-nghi-sua/", views.request_correction, name="request_correction"),
    path("de-nghi-sua/<int:pk>/xu-ly/", views.resolve_correction, name="resolve_correction"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/su-kien/", views.record_event, name="record_event"),
    path("<int:pk>/anh/", views.photo, name="photo"),
    path("<int:pk>/anh/doi/", views.set_photo, name="set_photo"),
]
