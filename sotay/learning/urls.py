from django.urls import path

from sotay.learning import manage_views, views

app_name = "learning"
urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("soan/", manage_views.programme_create, name="create"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/sua/", manage_views.programme_edit, name="edit"),
    path("<int:pk>/bai/them/", manage_views.lesson_add, name="lesson_add"),
    path("<int:pk>/bai/<int:lesson_pk>/", views.lesson_detail, name="lesson"),
    path("<int:pk>/bai/<int:lesson_pk>/tep/", views.lesson_file, name="lesson_file"),
    path("<int:pk>/bai/<int:lesson_pk>/vi-tri/", views.lesson_position, name="lesson_position"),
    path("<int:pk>/bai/<int:lesson_pk>/bo/", manage_views.lesson_remove, name="lesson_remove"),
    path("<int:pk>/trac-nghiem/", manage_views.quiz_configure, name="quiz_configure"),
    path("<int:pk>/trac-nghiem/bat-dau/", views.quiz_start, name="quiz_start"),
    path("<int:pk>/cau-hoi/them/", manage_views.question_add, name="question_add"),
    path("<int:pk>/cau-hoi/nhap/", manage_views.question_import, name="question_import"),
    path(
        "<int:pk>/cau-hoi/nhap/ghi/",
        manage_views.question_import_apply,
        name="question_import_apply",
    ),
    path("<int:pk>/cau-hoi/mau.xlsx", manage_views.question_template, name="question_template"),
    path("<int:pk>/giao-hoc/", manage_views.publish, name="publish"),
    path("<int:pk>/van-ban/", manage_views.link_document, name="link_document"),
    path("<int:pk>/thu-hoach/", views.reflection, name="reflection"),
    path("<int:pk>/thu-hoach/tep/", views.reflection_file, name="reflection_file"),
    path(
        "<int:pk>/thu-hoach/<int:reflection_pk>/tep/",
        manage_views.reviewer_reflection_file,
        name="reviewer_reflection_file",
    ),  # fmt: skip
    path("<int:pk>/chi-bo/", manage_views.branch, name="branch"),
    path("<int:pk>/dang-vien/<int:member_pk>/", manage_views.member_page, name="member"),
    path("<int:pk>/bao-cao/", manage_views.report, name="report"),
    path("<int:pk>/bao-cao.xlsx", manage_views.report_xlsx, name="report_xlsx"),
    path("lam-bai/<int:attempt_pk>/cau/<int:n>/", views.question, name="question"),
    path("lam-bai/<int:attempt_pk>/nop/", views.review, name="review"),
    path("lam-bai/<int:attempt_pk>/ket-qua/", views.result, name="result"),
]
