import re

import pytest
from django.urls import reverse

from sotay.accounts.models import AccountStatus, OneTimeCode, User
from sotay.audit.models import AuditEntry
from sotay.core.testing import make_member
from sotay.notifications.models import Receipt

pytestmark = pytest.mark.django_db
REGISTER = "/tai-khoan/dang-ky/"
NEUTRAL = "Thông tin không khớp với hồ sơ đảng viên nào có thể đăng ký."


@pytest.fixture
def newcomer(world):
    return make_member(world.branch, "Ngô Thị Mai")


def form(member, **over):
    data = {
        "card_number": member.card_number,
        "cccd": member.cccd,
        "birth_date": member.birth_date.strftime("%d/%m/%Y"),
        "phone": "0987654321",
        "password": "DangVien#2026",
        "password2": "DangVien#2026",
    }
    data.update(over)
    return data


def test_matching_facts_create_a_pending_account_with_no_rights(newcomer, client):
    response = client.post(REGISTER, form(newcomer))
    assert response["Location"] == reverse("accounts:pending")
    user = User.objects.get(member=newcomer)
    assert user.status == AccountStatus.PENDING and user.phone == "0987654321"
    # Signed in, but every page leads back to the waiting page and the API refuses.
    assert client.get("/")["Location"] == reverse("accounts:pending")
    assert client.get(reverse("organizations:tree"))["Location"] == reverse("accounts:pending")
    assert client.get(reverse("accounts:pending")).status_code == 200
    assert AuditEntry.objects.filter(action="accounts.registered", target_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    "field,value",
    [("card_number", "99999999"), ("cccd", "123456789012"), ("birth_date", "01/01/1901")],
)
def test_any_mismatch_answers_one_neutral_message(newcomer, client, field, value):
    response = client.post(REGISTER, form(newcomer, **{field: value}))
    body = response.content.decode()
    assert NEUTRAL in body
    assert not User.objects.filter(member=newcomer).exists()


def test_a_member_with_an_account_cannot_register_again(world, client):
    m = world.member.member
    response = client.post(REGISTER, form(m))
    assert NEUTRAL in response.content.decode()
    assert User.objects.filter(member=m).count() == 1


def test_a_phone_already_used_gets_the_neutral_message(newcomer, world, client):
    response = client.post(REGISTER, form(newcomer, phone=world.member.phone))
    assert NEUTRAL in response.content.decode()
    assert not User.objects.filter(member=newcomer).exists()


def test_malformed_fields_get_specific_format_errors(newcomer, client):
    body = client.post(REGISTER, form(newcomer, cccd="12345")).content.decode()
    assert "Số CCCD phải gồm đúng 12 chữ số." in body
    body = client.post(REGISTER, form(newcomer, phone="12345")).content.decode()
    assert "Số điện thoại không hợp lệ" in body
    body = client.post(REGISTER, form(newcomer, birth_date="31/02/1970")).content.decode()
    assert "ngày/tháng/năm" in body
    body = client.post(REGISTER, form(newcomer, password2="khac")).content.decode()
    assert "Hai mật khẩu không giống nhau." in body
    assert not User.objects.filter(member=newcomer).exists()


def test_secretary_approves_and_the_person_is_notified(world, login):
    client = login(world.secretary)
    page = client.get(reverse("accounts:registrations")).content.decode()
    assert world.pending.full_name in page
    assert client.post(reverse("accounts:approve", args=[world.pending.pk])).status_code == 302
    world.pending.refresh_from_db()
    assert (
        world.pending.status == AccountStatus.ACTIVE and world.pending.decided_by == world.secretary
    )
    assert Receipt.objects.filter(user=world.pending).count() == 1
    assert AuditEntry.objects.filter(action="accounts.approved", actor=world.secretary).exists()


def test_secretary_rejects_with_a_reason(world, login):
    client = login(world.secretary)
    client.post(reverse("accounts:reject", args=[world.pending.pk]), {"reason": ""})
    world.pending.refresh_from_db()
    assert world.pending.status == AccountStatus.PENDING
    client.post(
        reverse("accounts:reject", args=[world.pending.pk]), {"reason": "Sai số điện thoại"}
    )
    world.pending.refresh_from_db()
    assert world.pending.status == AccountStatus.REJECTED and world.pending.member_id is None


def test_outsiders_and_officers_cannot_decide(world, login):
    for persona, code in ((world.outsider, 404), (world.member, 404), (world.commune_officer, 404)):
        client = login(persona)
        assert client.post(reverse("accounts:approve", args=[world.pending.pk])).status_code == code
    world.pending.refresh_from_db()
    assert world.pending.status == AccountStatus.PENDING


def test_approving_twice_is_refused_with_a_message(world, login):
    client = login(world.secretary)
    client.post(reverse("accounts:approve", args=[world.pending.pk]))
    response = client.post(reverse("accounts:approve", args=[world.pending.pk]), follow=True)
    assert "không ở trạng thái chờ phê duyệt" in response.content.decode()


def test_secretary_creates_accounts_for_a_branch_and_codes_activate_them(world, login, client):
    a = make_member(world.branch, "Lâm Văn Sơn")
    b = make_member(world.branch, "Tạ Thị Uyên", phone="")
    sec = login(world.secretary)
    sheet = sec.post(
        reverse("accounts:create_branch_accounts", args=[world.branch.pk])
    ).content.decode()
    codes = re.findall(r"[A-Z2-9]{4}-[A-Z2-9]{4}", sheet)
    assert "Lâm Văn Sơn" in sheet and "Tạ Thị Uyên" in sheet and len(codes) == 2
    assert (
        User.objects.get(member=b).username == b.card_number
    )  # no phone: the card number signs in
    assert OneTimeCode.objects.filter(user__member__in=[a, b]).count() == 2
    # A second run finds nobody left.
    again = sec.post(
        reverse("accounts:create_branch_accounts", args=[world.branch.pk]), follow=True
    )
    assert "đã có tài khoản" in again.content.decode()
    sec.logout()
    # Codes are single-use and bound to the account.
    sheet_rows = re.findall(
        r"<td>([^<]+)</td><td>([^<]+)</td><td class=\"code\">([A-Z2-9-]+)</td>", sheet
    )
    rows = {name: (username, code) for name, username, code in sheet_rows}
    username, code = rows["Lâm Văn Sơn"]
    wrong = client.post(
        "/tai-khoan/dung-ma/",
        {
            "identifier": b.card_number,
            "code": code,
            "new_password": "KichHoat#2026",
            "new_password2": "KichHoat#2026",
        },
    )
    assert "Mã không đúng, đã dùng hoặc đã hết hạn." in wrong.content.decode()
    ok = client.post(
        "/tai-khoan/dung-ma/",
        {
            "identifier": username,
            "code": code.lower(),
            "new_password": "KichHoat#2026",
            "new_password2": "KichHoat#2026",
        },
    )
    assert ok.status_code == 302
    assert User.objects.get(member=a).check_password("KichHoat#2026")
    reuse = client.post(
        "/tai-khoan/dung-ma/",
        {
            "identifier": username,
            "code": code,
            "new_password": "KhacNua#2026",
            "new_password2": "KhacNua#2026",
        },
    )
    assert "Mã không đúng" in reuse.content.decode()


def test_bulk_creation_is_only_for_the_secretary_of_that_branch(world, login):
    make_member(world.branch, "Lâm Văn Sơn")
    assert (
        login(world.outsider)
        .post(reverse("accounts:create_branch_accounts", args=[world.branch.pk]))
        .status_code
        == 404
    )
    assert (
        login(world.commune_officer)
        .post(reverse("accounts:create_branch_accounts", args=[world.branch.pk]))
        .status_code
        == 403
    )
    assert not User.objects.filter(member__full_name="Lâm Văn Sơn").exists()


def test_reset_code_sets_a_new_password(world, login, client):
    sec = login(world.secretary)
    page = sec.post(reverse("accounts:issue_reset_code", args=[world.member.pk])).content.decode()
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", page).group(0)
    sec.logout()
    ok = client.post(
        "/tai-khoan/dung-ma/",
        {
            "identifier": world.member.phone,
            "code": code,
            "new_password": "DatLai#2026x",
            "new_password2": "DatLai#2026x",
        },
    )
    assert ok.status_code == 302
    world.member.refresh_from_db()
    assert world.member.check_password("DatLai#2026x")


def test_weak_new_password_is_refused_and_the_code_stays_usable(world, login, client):
    sec = login(world.secretary)
    page = sec.post(reverse("accounts:issue_reset_code", args=[world.member.pk])).content.decode()
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", page).group(0)
    sec.logout()
    weak = client.post(
        "/tai-khoan/dung-ma/",
        {
            "identifier": world.member.phone,
            "code": code,
            "new_password": "12345678",
            "new_password2": "12345678",
        },
    )
    assert weak.status_code == 200
    assert OneTimeCode.objects.filter(user=world.member, used_at__isnull=True).count() == 1
