from django.urls import path

from sotay.accounts import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.sign_in, name="login"),
    path("xac-thuc/", views.verify_2fa, name="verify_2fa"),
    path("xac-thuc/thiet-lap/", views.setup_2fa, name="setup_2fa"),
    path("dang-xuat/", views.sign_out, name="logout"),
    path("dang-ky/", views.register, name="register"),
    path("cho-duyet/", views.pending, name="pending"),
    path("dung-ma/", views.redeem_code, name="redeem_code"),
    path("doi-mat-khau/", views.change_password, name="change_password"),
    path("ca-nhan/", views.profile, name="profile"),
    path("ma-truy-cap/", views.api_tokens, name="api_tokens"),
    path("ma-truy-cap/<int:pk>/thu-hoi/", views.revoke_api_token, name="revoke_api_token"),
    path("phe-duyet/", views.registrations, name="registrations"),
    path("phe-duyet/<int:pk>/dong-y/", views.approve, name="approve"),
    path("phe-duyet/<int:pk>/tu-choi/", views.reject, name="reject"),
    path("to-chuc/<int:org_id>/", views.branch_accounts, name="branch_accounts"),
    path(
        "to-chuc/<int:org_id>/tao-hang-loat/",
        views.create_branch_accounts,
        name="create_branch_accounts",
    ),
    path("to-chuc/<int:org_id>/vai-tro/", views.grant_roles, name="grant_roles"),
    path("vai-tro/<int:pk>/ket-thuc/", views.end_grant, name="end_grant"),
    path("<int:pk>/mo-khoa/", views.unlock, name="unlock"),
    path("<int:pk>/ma-dat-lai/", views.issue_reset_code, name="issue_reset_code"),
]
