from django.urls import path

from sotay.handbook import views

app_name = "handbook"
urlpatterns = [
    path("", views.index, name="index"),
    path("trang-moi/", views.create, name="create"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/sua/", views.edit, name="edit"),
    path("<slug:slug>/chuyen/", views.move, name="move"),
    path("<slug:slug>/thu-tu/", views.shift, name="shift"),
    path("<slug:slug>/dang/", views.publish, name="publish"),
    path("<slug:slug>/xoa/", views.delete, name="delete"),
]
