import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sotay.members.models import Member
from sotay.organizations.models import Organization, OrgType, Seat

pytestmark = pytest.mark.django_db


def queries(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response, len(ctx.captured_queries)


def test_tree_shows_only_the_users_roots(world, login):
    page = login(world.commune_officer).get(reverse("organizations:tree")).content.decode()
    assert "Đảng bộ phường An Hòa" in page and "Đảng bộ Thành phố Thử nghiệm" not in page
    page = login(world.member).get(reverse("organizations:tree")).content.decode()
    assert "Chi bộ Khu phố 1" in page and "Đảng bộ phường An Hòa" not in page


def test_children_fragment_for_htmx_and_full_page_without_js(world, login):
    client = login(world.province_officer)
    url = reverse("organizations:children", args=[world.province.pk])
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert (
        "<html" not in fragment
        and "Đảng bộ phường An Hòa" in fragment
        and "Đảng bộ xã Bình Minh" in fragment
    )
    page = client.get(url).content.decode()
    assert "<html" in page and "Đảng bộ phường An Hòa" in page


def test_tree_query_counts_do_not_grow_with_children(world, login):
    client = login(world.province_officer)
    url = reverse("organizations:children", args=[world.commune.pk])
    _, before = queries(client, url, HTTP_HX_REQUEST="true")
    commune = Organization.objects.get(pk=world.commune.pk)
    for i in range(20):
        commune.create_child(
            code=f"X{i}", name=f"Chi bộ Tổ {i}", org_type=OrgType.GRASSROOTS_BRANCH
        )
    response, after = queries(client, url, HTTP_HX_REQUEST="true")
    assert "Chi bộ Tổ 19" in response.content.decode()
    assert after == before <= 6
    _, tree_q = queries(client, reverse("organizations:tree"))
    assert tree_q <= 6


def test_closed_organisations_are_hidden_from_the_tree(world, login):
    from sotay.organizations.services import merge_organization

    merge_organization(actor=world.admin, source=world.sibling, target=world.branch)
    client = login(world.province_officer)
    fragment = client.get(
        reverse("organizations:children", args=[world.commune.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Chi bộ Khu phố 2" not in fragment
    # Its own page still reads, with the link to its successor.
    page = client.get(reverse("organizations:detail", args=[world.sibling.pk])).content.decode()
    assert "đã hợp nhất vào" in page and "Chi bộ Khu phố 1" in page


def test_organisation_page_counts_members_by_status_and_shows_the_committee(world, login):
    client = login(world.commune_officer)
    response, n = queries(client, reverse("organizations:detail", args=[world.commune.pk]))
    page = response.content.decode()
    total = Member.objects.filter(org_path__startswith=world.commune.path).count()
    assert f"Đảng viên ({total})" in page
    assert "Cấp ủy viên: <strong>Phạm Thị Dung</strong>" in page
    assert n <= 14


def test_manage_forms_refuse_bad_input_and_change_nothing(world, login):
    client = login(world.office)
    before = list(Organization.objects.values_list("pk", "path", "name", "code"))
    r = client.post(reverse("organizations:rename", args=[world.branch.pk]), {"name": "x"})
    assert r.status_code == 400 and "từ 3 đến 255 ký tự" in r.content.decode()
    r = client.post(
        reverse("organizations:add_child", args=[world.commune.pk]),
        {"child-code": "B1", "child-name": "Chi bộ trùng mã", "child-org_type": "chi_bo_co_so"},
    )
    assert "đã được dùng" in r.content.decode()
    r = client.post(
        reverse("organizations:move", args=[world.commune.pk]), {"move-target_code": "B1"}
    )
    assert "chính nó" in r.content.decode()
    r = client.post(
        reverse("organizations:move", args=[world.branch.pk]), {"move-target_code": "Q"}
    )
    assert "Không tìm thấy tổ chức đích" in r.content.decode()
    r = client.post(
        reverse("organizations:merge", args=[world.branch.pk]), {"merge-target_code": "KHONGCO"}
    )
    assert "Không tìm thấy tổ chức đích" in r.content.decode()
    r = client.post(
        reverse("organizations:add_child", args=[world.branch.pk]),
        {"child-code": "NEW1", "child-name": "Đảng bộ sai loại", "child-org_type": "co_so"},
    )
    assert "không thể có tổ chức con" in r.content.decode()
    assert list(Organization.objects.values_list("pk", "path", "name", "code")) == before


def test_office_moves_and_merges_through_the_pages(world, login):
    client = login(world.admin)
    r = client.post(
        reverse("organizations:move", args=[world.sibling.pk]), {"move-target_code": "c2"}
    )
    assert r.status_code == 302
    sibling = Organization.objects.get(pk=world.sibling.pk)
    assert sibling.path.startswith(world.commune2.path)
    assert set(Member.objects.filter(organization=sibling).values_list("org_path", flat=True)) == {
        sibling.path
    }
    r = client.post(
        reverse("organizations:merge", args=[world.branch3.pk]), {"merge-target_code": "B2"}
    )
    assert (
        r.status_code == 302
        and Organization.objects.get(pk=world.branch3.pk).successor_id == sibling.pk
    )


def test_secretary_cannot_manage_even_their_own_branch(world, login):
    r = login(world.secretary).post(
        reverse("organizations:rename", args=[world.branch.pk]), {"name": "Tên mới đây"}
    )
    assert r.status_code == 403
    assert Organization.objects.get(pk=world.branch.pk).name == "Chi bộ Khu phố 1"


def test_terms_and_seats_through_the_pages(world, login):
    client = login(world.office)
    url = reverse("organizations:open_term", args=[world.branch.pk])
    bad = client.post(
        url, {"term-name": "", "term-starts_on": "01/10/2030", "term-ends_on": "01/10/2025"}
    )
    assert "phải sau ngày bắt đầu" in bad.content.decode()
    assert (
        client.post(
            url, {"term-name": "", "term-starts_on": "01/10/2025", "term-ends_on": "01/10/2030"}
        ).status_code
        == 302
    )
    card = world.member.member.card_number
    r = client.post(
        reverse("organizations:assign_seat", args=[world.branch.pk]),
        {"card_number": card, "position": "pho_bi_thu"},
    )
    assert r.status_code == 302
    seat = Seat.objects.get(member=world.member.member)
    assert seat.term is not None
    # The new deputy secretary now manages the branch's accounts.
    assert (
        login(world.member)
        .get(reverse("accounts:branch_accounts", args=[world.branch.pk]))
        .status_code
        == 200
    )
    client = login(world.office)
    client.post(reverse("organizations:end_seat", args=[world.branch.pk, seat.pk]))
    assert (
        login(world.member)
        .get(reverse("accounts:branch_accounts", args=[world.branch.pk]))
        .status_code
        == 403
    )


def test_organisation_page_lists_the_first_children_and_links_to_all(world, login):
    from sotay.organizations import views

    commune = Organization.objects.get(pk=world.commune.pk)
    for i in range(views.DETAIL_CHILDREN):
        commune.create_child(
            code=f"Y{i:02d}", name=f"Chi bộ Khu dân cư {i:02d}", org_type=OrgType.GRASSROOTS_BRANCH
        )
    page = (
        login(world.commune_officer)
        .get(reverse("organizations:detail", args=[world.commune.pk]))
        .content.decode()
    )
    assert page.count('<li id="org-') == views.DETAIL_CHILDREN
    assert "Xem tất cả tổ chức trực thuộc" in page
