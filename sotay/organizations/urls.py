from django.urls import path

from sotay.organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("nhap/", views.import_organizations, name="import"),
    path("nhap/ap-dung/", views.apply_import, name="apply_import"),
    path("nhap/mau.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/con/", views.children, name="children"),
    path("<int:pk>/quan-ly/", views.manage, name="manage"),
    path("<int:pk>/doi-ten/", views.rename, name="rename"),
    path("<int:pk>/them-con/", views.add_child, name="add_child"),
    path("<int:pk>/chuyen/", views.move, name="move"),
    path("<int:pk>/hop-nhat/", views.merge, name="merge"),
    path("<int:pk>/nhiem-ky/", views.open_term, name="open_term"),
    path("<int:pk>/nhiem-ky/<int:term_id>/ket-thuc/", views.close_term, name="close_term"),
    path("<int:pk>/chuc-vu/", views.assign_seat, name="assign_seat"),
    path("<int:pk>/chuc-vu/<int:seat_id>/ket-thuc/", views.end_seat, name="end_seat"),
]
