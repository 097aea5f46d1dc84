from django.urls import path

from sotay.documents import required_views, views

app_name = "documents"
urlpatterns = [
    path("", views.library, name="library"),
    path("soan/", views.create, name="create"),
    path("doc-sau/", views.bookmarks, name="bookmarks"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sua/", views.edit, name="edit"),
    path("<int:pk>/doc-sau/", views.bookmark, name="bookmark"),
    path("<int:pk>/tep/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/tep/them/", views.add_attachment, name="add_attachment"),
    path("<int:pk>/tep/<int:attachment_pk>/bo/", views.remove_attachment, name="remove_attachment"),
    path("<int:pk>/ban-hanh/", views.publish, name="publish"),
    path("<int:pk>/thu-hoi/", views.withdraw, name="withdraw"),
    path("<int:pk>/lien-ket/", views.link, name="link"),
    path("<int:pk>/doc/", required_views.coverage, name="coverage"),
    path("<int:pk>/yeu-cau-doc/", required_views.require, name="require"),
    path(
        "<int:pk>/yeu-cau-doc/<int:requirement_pk>/bo/",
        required_views.drop,
        name="drop_requirement",
    ),
]
