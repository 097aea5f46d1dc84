from django.urls import path

from sotay.news import views

app_name = "news"
urlpatterns = [
    path("", views.post_list, name="list"),
    path("viet/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sua/", views.edit, name="edit"),
    path("<int:pk>/anh-bia/", views.cover, name="cover"),
    path("<int:pk>/anh-nho/", views.thumb, name="thumb"),
    path("<int:pk>/anh-bia/tai-len/", views.set_cover, name="set_cover"),
    path("<int:pk>/anh-bia/bo/", views.remove_cover, name="remove_cover"),
    path("<int:pk>/dang/", views.publish, name="publish"),
    path("<int:pk>/go/", views.withdraw, name="withdraw"),
    path("<int:pk>/ghim/", views.pin, name="pin"),
]
