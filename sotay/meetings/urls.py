from importlib.util import find_spec

from django.urls import include, path

from sotay.meetings import views, views_run

app_name = "meetings"
urlpatterns = [
    path("", views.home, name="index"),
    path("lap-lich/", views.schedule, name="schedule"),
    path("lich-hang-thang/", views.pattern, name="pattern"),
    path("lich.ics", views.ics_feed, name="ics_feed"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sua/", views.edit, name="edit"),
    path("<int:pk>/thong-bao/", views.announce, name="announce"),
    path("<int:pk>/lich.ics", views.ics, name="ics"),
    path("<int:pk>/chuong-trinh/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/chuong-trinh/<int:item_pk>/sua/", views.agenda_edit, name="agenda_edit"),
    path(
        "<int:pk>/chuong-trinh/<int:item_pk>/len/",
        views.agenda_move,
        {"direction": "len"},
        name="agenda_up",
    ),
    path(
        "<int:pk>/chuong-trinh/<int:item_pk>/xuong/",
        views.agenda_move,
        {"direction": "xuong"},
        name="agenda_down",
    ),
    path("<int:pk>/chuong-trinh/<int:item_pk>/bo/", views.agenda_remove, name="agenda_remove"),
    path("<int:pk>/tai-lieu/", views.material_add, name="material_add"),
    path("<int:pk>/tai-lieu/<int:material_pk>/", views.material_file, name="material"),
    path(
        "<int:pk>/tai-lieu/<int:material_pk>/bo/",
        views.material_remove,
        name="material_remove",
    ),
    path("<int:pk>/gop-y/", views.comment, name="comment"),
    path("<int:pk>/diem-danh/", views.check_in, name="check_in"),
    path("<int:pk>/dang-hop/", views.member_live, name="member_live"),
    # the meeting night
    path("<int:pk>/dieu-hanh/", views_run.run, name="run"),
    path("<int:pk>/dieu-hanh/truc-tiep/", views_run.live, name="live"),
    path("<int:pk>/dieu-hanh/qr.svg", views_run.qr_svg, name="qr"),
    path("<int:pk>/bat-dau/", views_run.start, name="start"),
    path("<int:pk>/ket-thuc/", views_run.close, name="close"),
    path("<int:pk>/danh-sach/<int:entry_pk>/diem-danh/", views_run.mark, name="mark"),
    path("<int:pk>/danh-sach/<int:entry_pk>/ly-do/", views_run.reason, name="reason"),
    path("<int:pk>/bieu-quyet/mo/", views_run.motion_open, name="motion_open"),
    path("<int:pk>/bieu-quyet/<int:motion_pk>/", views_run.vote, name="vote"),
    path(
        "<int:pk>/bieu-quyet/<int:motion_pk>/ket-thuc/",
        views_run.motion_close,
        name="motion_close",
    ),
    path(
        "<int:pk>/bieu-quyet/<int:motion_pk>/gio-tay/",
        views_run.show_of_hands,
        name="show_of_hands",
    ),
]

# Minutes, scoring and statistics of meetings live in their own URL module.
if find_spec("sotay.meetings.urls_minutes") is not None:
    urlpatterns.append(path("", include("sotay.meetings.urls_minutes")))
