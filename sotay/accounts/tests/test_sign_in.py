import pyotp
import pytest
from django.test import override_settings
from django.urls import reverse

from sotay.accounts import services
from sotay.accounts.models import User
from sotay.audit.models import AuditEntry
from sotay.core.crypto import encrypt
from sotay.core.errors import ServiceError
from sotay.core.testing import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/tai-khoan/dang-nhap/"


def post_login(client, identifier, password, **extra):
    return client.post(LOGIN, {"identifier": identifier, "password": password}, **extra)


def test_member_signs_in_with_phone(world, client):
    response = post_login(client, world.member.phone, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    entry = AuditEntry.objects.filter(action="auth.login").latest("id")
    assert entry.actor_id == world.member.pk and entry.ip == "127.0.0.1"


def test_member_signs_in_with_card_number(world, client):
    card = world.member.member.card_number
    assert post_login(client, f" {card} ", PASSWORD).status_code == 302


def test_a_phone_in_international_form_signs_in(world, client):
    phone = "+84 " + world.member.phone[1:]
    assert post_login(client, phone, PASSWORD).status_code == 302


def test_wrong_password_answers_a_vietnamese_message_and_is_audited(world, client):
    response = post_login(client, world.member.phone, "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert (
        AuditEntry.objects.filter(
            action="auth.login_failed", target_id=str(world.member.pk)
        ).count()
        == 1
    )
    assert "_auth_user_id" not in client.session


def test_unknown_identifier_gets_the_same_message(world, client):
    response = post_login(client, "0999999999", PASSWORD)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


@override_settings(SOTAY_LOCKOUT_ACCOUNT_FAILURES=3)
def test_account_locks_after_repeated_failures_and_secretary_lifts_it(world, client, login):
    for _ in range(3):
        post_login(client, world.member.phone, "sai-mat-khau")
    world.member.refresh_from_db()
    assert world.member.locked_at is not None
    response = post_login(client, world.member.phone, PASSWORD)
    assert "Tài khoản tạm khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The secretary sees the lock and lifts it.
    sec = login(world.secretary)
    page = sec.get(reverse("accounts:branch_accounts", args=[world.branch.pk])).content.decode()
    assert "đang bị khóa" in page
    assert sec.post(reverse("accounts:unlock", args=[world.member.pk])).status_code == 302
    world.member.refresh_from_db()
    assert world.member.locked_at is None and world.member.failed_logins == 0
    assert AuditEntry.objects.filter(action="auth.unlocked", actor=world.secretary).exists()
    sec.logout()
    assert post_login(client, world.member.phone, PASSWORD).status_code == 302


def test_secretary_of_another_branch_cannot_unlock(world, login):
    User.objects.filter(pk=world.member.pk).update(failed_logins=5)
    client = login(world.outsider)
    assert client.post(reverse("accounts:unlock", args=[world.member.pk])).status_code == 404
    world.member.refresh_from_db()
    assert world.member.failed_logins == 5


@override_settings(SOTAY_LOCKOUT_ADDRESS_FAILURES=4)
def test_one_address_is_blocked_after_many_failures_across_accounts(world, client):
    for phone in ("0900000001", "0900000002", "0900000003", "0900000004"):
        post_login(client, phone, "x")
    response = post_login(client, world.member.phone, PASSWORD)
    assert "quá nhiều lần đăng nhập sai" in response.content.decode()
    # Another address is not affected.
    assert (
        post_login(client, world.member.phone, PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302
    )


def test_forwarded_for_is_ignored_without_a_trusted_proxy(world, client):
    post_login(client, world.member.phone, "x", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert AuditEntry.objects.filter(action="auth.login_failed").latest("id").ip == "127.0.0.1"


def test_sign_out_needs_post_and_is_audited(world, login):
    client = login(world.member)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.logout", actor=world.member).exists()
    assert client.get("/").status_code == 302


def test_next_parameter_cannot_redirect_off_site(world, client):
    response = client.post(
        LOGIN,
        {"identifier": world.member.phone, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_change_password(world, login):
    client = login(world.member)
    bad = client.post(
        reverse("accounts:change_password"),
        {"old_password": "sai", "new_password": "MoiHon#2026x", "new_password2": "MoiHon#2026x"},
    )
    assert "Mật khẩu hiện tại không đúng." in bad.content.decode()
    ok = client.post(
        reverse("accounts:change_password"),
        {"old_password": PASSWORD, "new_password": "MoiHon#2026x", "new_password2": "MoiHon#2026x"},
    )
    assert ok.status_code == 302
    world.member.refresh_from_db()
    assert world.member.check_password("MoiHon#2026x")


# ----- two-factor -----


def _code(secret):
    return pyotp.TOTP(secret).now()


@override_settings(SOTAY_REQUIRE_2FA=True)
def test_officer_must_enrol_2fa_before_getting_in(world, client):
    response = post_login(client, world.secretary.phone, PASSWORD)
    assert response["Location"].startswith(reverse("accounts:setup_2fa"))
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # not signed in yet
    page = client.get(reverse("accounts:setup_2fa"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    secret = client.session["totp_setup_secret"]
    wrong = client.post(reverse("accounts:setup_2fa"), {"code": "000000"})
    assert "Mã xác thực không đúng" in wrong.content.decode()
    ok = client.post(reverse("accounts:setup_2fa"), {"code": _code(secret)})
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(world.secretary.pk)
    world.secretary.refresh_from_db()
    assert world.secretary.has_totp


@override_settings(SOTAY_REQUIRE_2FA=True)
def test_plain_member_is_not_asked_for_2fa(world, client):
    assert post_login(client, world.member.phone, PASSWORD)["Location"] == "/"


def test_enrolled_user_is_asked_for_a_code_and_a_code_works_once(world, client):
    secret = pyotp.random_base32()
    User.objects.filter(pk=world.member.pk).update(
        totp_secret=encrypt(secret), totp_enabled_at="2026-01-01T00:00:00Z"
    )
    response = post_login(client, world.member.phone, PASSWORD)
    assert response["Location"].startswith(reverse("accounts:verify_2fa"))
    code = _code(secret)
    assert client.post(reverse("accounts:verify_2fa"), {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(world.member.pk)
    client.logout()
    post_login(client, world.member.phone, PASSWORD)
    replay = client.post(reverse("accounts:verify_2fa"), {"code": code})
    assert "đã được dùng" in replay.content.decode()
    assert "_auth_user_id" not in client.session


def test_verify_page_without_a_password_step_goes_back_to_sign_in(client, db):
    assert client.get(reverse("accounts:verify_2fa"))["Location"] == reverse("accounts:login")


def test_service_refuses_disabled_accounts(world):
    User.objects.filter(pk=world.member.pk).update(status="disabled")
    with pytest.raises(ServiceError, match="đã bị khóa"):
        services.sign_in(identifier=world.member.phone, password=PASSWORD, ip="127.0.0.1")


@override_settings(SOTAY_LOCKOUT_ACCOUNT_FAILURES=3)
def test_guessing_second_factor_codes_locks_the_account(world, client):
    secret = pyotp.random_base32()
    User.objects.filter(pk=world.member.pk).update(
        totp_secret=encrypt(secret), totp_enabled_at="2026-01-01T00:00:00Z"
    )
    post_login(client, world.member.phone, PASSWORD)
    for _ in range(3):
        client.post(reverse("accounts:verify_2fa"), {"code": "000000"})
    world.member.refresh_from_db()
    assert world.member.locked_at is not None
    response = client.post(reverse("accounts:verify_2fa"), {"code": _code(secret)})
    assert "Tài khoản tạm khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(SOTAY_LOCKOUT_ACCOUNT_FAILURES=3)
def test_a_correct_password_does_not_reset_second_factor_guesses(world, client):
    secret = pyotp.random_base32()
    User.objects.filter(pk=world.member.pk).update(
        totp_secret=encrypt(secret), totp_enabled_at="2026-01-01T00:00:00Z"
    )
    for _ in range(3):
        post_login(client, world.member.phone, PASSWORD)
        client.post(reverse("accounts:verify_2fa"), {"code": "000000"})
    world.member.refresh_from_db()
    assert world.member.locked_at is not None


def test_a_complete_sign_in_clears_earlier_failures(world, client):
    post_login(client, world.member.phone, "sai")
    post_login(client, world.member.phone, PASSWORD)
    world.member.refresh_from_db()
    assert world.member.failed_logins == 0


def test_the_admin_has_no_login_form_of_its_own(world, client):
    response = client.get("/quan-tri/login/?next=/quan-tri/")
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    # Posting credentials to it signs nobody in.
    client.post("/quan-tri/login/", {"username": "admin", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_superuser_reaches_the_admin_after_signing_in(world, login):
    assert login(world.admin).get("/quan-tri/").status_code == 200
    assert login(world.secretary).get("/quan-tri/").status_code == 302


def test_a_rejected_person_sees_the_reason(world, login):
    from sotay.accounts.services import reject_registration

    reject_registration(actor=world.secretary, user=world.pending, reason="Sai số điện thoại")
    page = login(world.pending).get("/", follow=True).content.decode()
    assert "Đăng ký chưa được chấp nhận" in page and "Sai số điện thoại" in page


def test_the_totp_seed_is_stored_encrypted(world, client):
    from sotay.accounts.services import enable_totp

    secret = pyotp.random_base32()
    enable_totp(user=world.member, secret=secret, code=pyotp.TOTP(secret).now(), ip="127.0.0.1")
    stored = User.objects.get(pk=world.member.pk).totp_secret
    assert secret not in stored and len(stored) > 60
