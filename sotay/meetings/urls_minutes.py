"""URLs of the minutes, resolution, self-score and meeting statistics. Included by
urls.py inside the `meetings` namespace (no app_name here)."""

from django.urls import path

from sotay.meetings import views_minutes as v

urlpatterns = [
    path("<int:pk>/dien-bien/", v.notes, name="minutes_notes"),
    path("<int:pk>/dien-bien/phat-bieu/", v.remark_add, name="remark_add"),
    path("<int:pk>/dien-bien/phat-bieu/<int:item_pk>/xoa/", v.remark_delete, name="remark_delete"),
    path("<int:pk>/dien-bien/ket-luan/", v.conclusion_add, name="conclusion_add"),
    path(
        "<int:pk>/dien-bien/ket-luan/<int:item_pk>/xoa/",
        v.conclusion_delete,
        name="conclusion_delete",
    ),
    path("<int:pk>/dien-bien/khach-moi/", v.guest_add, name="guest_add"),
    path("<int:pk>/dien-bien/khach-moi/<int:item_pk>/xoa/", v.guest_delete, name="guest_delete"),
    path("<int:pk>/bien-ban/", v.minutes_page, name="minutes"),
    path("<int:pk>/bien-ban/lap/", v.minutes_draft, name="minutes_draft"),
    path("<int:pk>/bien-ban/thong-qua/", v.minutes_approve, name="minutes_approve"),
    path("<int:pk>/bien-ban/phien-ban-moi/", v.minutes_new_version, name="minutes_new_version"),
    path("<int:pk>/bien-ban/v<int:version>/", v.minutes_version, name="minutes_version"),
    path("<int:pk>/bien-ban/v<int:version>.pdf", v.minutes_pdf, name="minutes_pdf"),
    path("<int:pk>/nghi-quyet/", v.resolution_page, name="resolution"),
    path("<int:pk>/nghi-quyet/du-thao/", v.resolution_draft, name="resolution_draft"),
    path("<int:pk>/nghi-quyet/ban-hanh/", v.resolution_publish, name="resolution_publish"),
    path("<int:pk>/cham-diem/", v.score_page, name="score"),
    path("thang-diem/", v.score_config, name="score_config"),
    path("thong-ke/", v.stats_index, name="stats_index"),
    path("thong-ke/<int:org_pk>/", v.stats_page, name="stats"),
]
