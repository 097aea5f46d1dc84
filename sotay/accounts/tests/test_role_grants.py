import pytest
from django.urls import reverse

from sotay.accounts.models import RoleGrant
from sotay.accounts.permissions import MEMBERS_VIEW, can
from sotay.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_office_grants_and_ends_a_role_through_the_page(world, login):
    client = login(world.office)
    url = reverse("accounts:grant_roles", args=[world.commune.pk])
    assert (
        client.post(url, {"identifier": world.member.phone, "role": "officer"}).status_code == 302
    )
    grant = RoleGrant.objects.get(user=world.member, organization=world.commune)
    assert can(
        world.member.__class__.objects.select_related("member").get(pk=world.member.pk),
        MEMBERS_VIEW,
        world.sibling,
    )
    assert AuditEntry.objects.filter(action="accounts.role_granted", actor=world.office).exists()
    assert client.post(reverse("accounts:end_grant", args=[grant.pk])).status_code == 302
    grant.refresh_from_db()
    assert grant.ends_on is not None


def test_bad_input_names_the_problem_and_grants_nothing(world, login):
    client = login(world.office)
    url = reverse("accounts:grant_roles", args=[world.commune.pk])
    unknown = client.post(url, {"identifier": "0999999999", "role": "officer"}).content.decode()
    assert "Không tìm thấy tài khoản" in unknown
    bad_role = client.post(
        url, {"identifier": world.member.phone, "role": "emperor"}
    ).content.decode()
    assert (
        "Select a valid choice" in bad_role
        or "Hãy chọn một lựa chọn hợp lệ" in bad_role
        or "hợp lệ" in bad_role
    )
    admin_role = client.post(url, {"identifier": world.member.phone, "role": "admin"})
    assert admin_role.status_code == 403
    pending = client.post(
        url, {"identifier": world.pending.phone, "role": "officer"}
    ).content.decode()
    assert "Chỉ cấp quyền cho tài khoản đang hoạt động." in pending
    assert (
        not RoleGrant.objects.filter(organization=world.commune).exclude(user=world.office).exists()
    )


def test_who_may_not_grant(world, login):
    url = reverse("accounts:grant_roles", args=[world.commune.pk])
    data = {"identifier": world.member.phone, "role": "officer"}
    assert login(world.secretary).post(url, data).status_code == 404  # the commune is out of scope
    assert login(world.commune_officer).post(url, data).status_code == 403
    assert (
        login(world.office)
        .post(reverse("accounts:grant_roles", args=[world.other_province.pk]), data)
        .status_code
        == 404
    )
    grant = RoleGrant.objects.get(user=world.office)
    assert (
        login(world.commune_officer)
        .post(reverse("accounts:end_grant", args=[grant.pk]))
        .status_code
        == 403
    )
    assert (
        login(world.outsider).post(reverse("accounts:end_grant", args=[grant.pk])).status_code
        == 404
    )
    grant.refresh_from_db()
    assert grant.ends_on is None and not RoleGrant.objects.filter(user=world.member).exists()
