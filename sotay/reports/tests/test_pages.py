"""The statistics page, its .xlsx export and /thong-ke/: who may and who may not, what
they show, how many queries they cost."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sotay.audit.models import AuditEntry
from sotay.core.testing import PERSONAS, make_member

pytestmark = pytest.mark.django_db

# Branch B1 (world.branch): in scope for its members, its commune and the province.
ON_BRANCH = dict.fromkeys(PERSONAS, 200) | {"member": 403, "probationary": 403, "outsider": 404}
ON_COMMUNE = dict.fromkeys(PERSONAS, 404) | {
    "commune_officer": 200, "province_officer": 200, "office": 200, "inspector": 200, "admin": 200,
}  # fmt: skip


def page(org):
    return reverse("reports:organization", args=[org.pk])


def xlsx(org):
    return reverse("reports:organization_xlsx", args=[org.pk])


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "pending"])
def test_who_may_read_the_statistics_of_a_branch_and_a_commune(world, login, persona):
    client = login(world.persona(persona))
    for url_of in (page, xlsx):
        assert client.get(url_of(world.branch)).status_code == ON_BRANCH[persona]
        assert client.get(url_of(world.commune)).status_code == ON_COMMUNE[persona]
        expected = 200 if persona == "admin" else 404
        assert client.get(url_of(world.other_province)).status_code == expected


def test_a_plain_member_is_told_why(world, login):
    response = login(world.member).get(page(world.branch))
    assert response.status_code == 403
    assert "Bạn không có quyền xem thống kê của tổ chức này." in response.content.decode()


def test_pending_and_anonymous_visitors_see_nothing(world, client, login):
    assert client.get(page(world.branch))["Location"].startswith(reverse("accounts:login"))
    response = login(world.pending).get(page(world.branch))
    assert response["Location"] == reverse("accounts:pending")


def test_missing_organisation_answers_404(world, login):
    assert login(world.admin).get("/thong-ke/999999/").status_code == 404
    assert login(world.admin).get("/thong-ke/999999/xlsx/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("secretary", "branch"),
        ("commune_officer", "commune"),
        ("office", "commune"),
        ("province_officer", "province"),
        ("inspector", "province"),
    ],
)
def test_index_opens_the_top_of_the_users_scope(world, login, persona, target):
    response = login(world.persona(persona)).get(reverse("reports:index"))
    assert response.status_code == 302
    assert response["Location"] == page(getattr(world, target))


def test_index_refuses_those_without_statistics_anywhere(world, login):
    for persona in ("member", "probationary", "outsider"):
        response = login(world.persona(persona)).get(reverse("reports:index"))
        assert response.status_code == 403
        assert "Bạn không có quyền xem thống kê ở tổ chức nào." in response.content.decode()


def test_index_lets_an_admin_choose_between_trees(world, login):
    response = login(world.admin).get(reverse("reports:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert page(world.province) in body and page(world.other_province) in body


def test_the_page_shows_the_figures_and_drills_down(stats_tree, login):
    response = login(stats_tree.officer).get(page(stats_tree.commune))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Thống kê đảng viên" in body and "Đảng ủy xã Thử Nghiệm" in body
    assert "6/8 = 75,00 %" in body  # accounts created / members on the roll
    assert "3/8 = 37,50 %" in body  # active and signed in
    for child in (stats_tree.x, stats_tree.y, stats_tree.z):
        assert f'href="{page(child)}"' in body  # drill-down
    assert "Chi bộ Xóm cũ" not in body  # closed and empty
    assert "Sinh hoạt trực tiếp tại Đảng ủy xã Thử Nghiệm" in body
    assert "trừ bảng Tình trạng, tính trên 8 đảng viên đang trong danh sách" in body
    # the charts' data, their script (this page only) and the tables they summarise
    assert 'id="stats-charts"' in body and "vendor/chartjs/chart.umd.min.js" in body
    assert body.count('<canvas data-chart="') == 4
    assert "Tải về Excel (.xlsx)" in body and xlsx(stats_tree.commune) in body
    # the breadcrumb goes up only as far as the user's scope (the office holds K, not R)
    assert page(stats_tree.root) not in body


def test_the_breadcrumb_climbs_to_the_top_of_the_scope(world, login):
    body = login(world.province_officer).get(page(world.branch)).content.decode()
    assert page(world.province) in body and page(world.commune) in body
    body = login(world.secretary).get(page(world.branch)).content.decode()
    assert page(world.commune) not in body


def test_other_pages_do_not_load_chartjs(world, login):
    client = login(world.province_officer)
    for url in ("/", reverse("organizations:detail", args=[world.commune.pk])):
        assert "chart.umd.min.js" not in client.get(url).content.decode()


def test_organisation_page_links_to_statistics_for_those_who_may(world, login):
    url = reverse("organizations:detail", args=[world.branch.pk])
    assert page(world.branch) in login(world.secretary).get(url).content.decode()
    assert page(world.branch) not in login(world.member).get(url).content.decode()


def test_home_has_a_statistics_tile_for_those_who_may(world, login):
    assert reverse("reports:index") in login(world.commune_officer).get("/").content.decode()
    assert reverse("reports:index") not in login(world.member).get("/").content.decode()


def test_page_views_are_not_audited(stats_tree, login):
    before = AuditEntry.objects.count()
    login(stats_tree.officer).get(page(stats_tree.commune))
    assert AuditEntry.objects.count() == before


def test_page_query_count_does_not_grow_with_the_subtree(
    stats_tree, login, django_assert_max_num_queries
):
    client = login(stats_tree.officer)
    client.get(page(stats_tree.commune))  # warm: nothing first-call only is counted
    # session, user, seats, role grants, organisation, ancestors, 3 statistics queries,
    # children, unread notices
    with django_assert_max_num_queries(11):
        assert client.get(page(stats_tree.commune)).status_code == 200
    for n in range(40):
        make_member(stats_tree.y, f"Thêm {n}")
        make_member(stats_tree.z, f"Nữa {n}")
    with django_assert_max_num_queries(11):
        assert client.get(page(stats_tree.commune)).status_code == 200


def test_the_export_holds_the_figures_and_is_audited(stats_tree, login):
    response = login(stats_tree.officer).get(xlsx(stats_tree.commune))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="thong-ke-k-' in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Thống kê", "Tổ chức trực thuộc"]
    figures = [list(r) for r in wb["Thống kê"].iter_rows(values_only=True)]
    assert figures[0][0] == "THỐNG KÊ ĐẢNG VIÊN" and figures[1][0] == "Đảng ủy xã Thử Nghiệm"
    by_label = {r[0]: r[1:3] for r in figures if r and r[0]}
    assert by_label["Đảng viên trong danh sách"] == [8, None]
    assert by_label["Đã có tài khoản"] == [6, 0.75]
    assert by_label["Tài khoản đang hoạt động, đã đăng nhập"] == [3, 0.375]
    assert by_label["Đã ra khỏi danh sách (xóa tên, khai trừ, từ trần)"] == [3, None]
    assert by_label["Phật giáo"] == [2, 0.25]
    for title in ("Tình trạng", "Giới tính", "Độ tuổi", "Dân tộc", "Tôn giáo",
                  "Trình độ chuyên môn", "Lý luận chính trị", "Tuổi Đảng"):  # fmt: skip
        assert [title] == [r[0] for r in figures if r and r[0] == title]
    kids = [list(r) for r in wb["Tổ chức trực thuộc"].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(kids) if r[0] == "Tổ chức") + 1
    assert [r[:6] for r in kids[start:]] == [
        ["Chi bộ Xóm 1", "X", 4, 1, 2, 4],
        ["Chi bộ Xóm 2", "Y", 3, 1, 2, 1],
        ["Chi bộ Xóm 3", "Z", 0, 0, 0, 0],
        ["Sinh hoạt trực tiếp tại Đảng ủy xã Thử Nghiệm", None, 1, 0, 0, 1],
        ["Cộng", None, 8, 2, 4, 6],
    ]
    entry = AuditEntry.objects.get(action="reports.exported")
    assert entry.actor == stats_tree.officer
    assert entry.org_path == stats_tree.commune.path
    assert entry.target_id == str(stats_tree.commune.pk)


def test_text_in_the_export_never_becomes_a_formula(stats_tree, login):
    make_member(stats_tree.z, "Người Gõ Công Thức", religion='=HYPERLINK("http://x","y")')
    response = login(stats_tree.officer).get(xlsx(stats_tree.z))
    sheet = load_workbook(io.BytesIO(response.content))["Thống kê"]
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_each_count_links_to_the_people_behind_it(stats_tree, login):
    """A figure opens the member list with the same filter over the same subtree, and
    that list holds exactly as many people as the figure says."""
    client = login(stats_tree.officer)
    stats = client.get(page(stats_tree.commune)).context["stats"]
    links = {(d.key, r.key): (r.count, r.list_url)
             for d in [stats.statuses, *stats.dimensions] for r in d.rows}  # fmt: skip
    checked = 0
    for (dimension, _key), (count, url) in links.items():
        if not url:
            continue
        listed = client.get(url).context["page"].items
        assert len(listed) == count, (dimension, url)
        checked += 1
    assert checked >= 12
    assert not any(url for (dimension, _k), (_n, url) in links.items() if dimension == "religion")


def test_a_rolled_up_page_is_rendered_once_and_served_again(stats_tree, login, monkeypatch):
    from django.template.engine import Engine

    from sotay.reports import queries

    monkeypatch.setattr(queries, "ROLLUP_THRESHOLD_SECONDS", -1)  # every count is kept
    rendered = []
    real = Engine.get_template

    def spy(self, name):
        rendered.append(name)
        return real(self, name)

    monkeypatch.setattr(Engine, "get_template", spy)
    client = login(stats_tree.officer)
    first = client.get(page(stats_tree.commune))
    assert first.context["stats"].rolled_up is False  # counted now, kept for 5 minutes
    rendered.clear()
    second = client.get(page(stats_tree.commune))
    assert second.context["stats"].rolled_up is True
    assert "reports/_statistics_body.html" in rendered  # the roll-up's first rendering
    rendered.clear()
    third = client.get(page(stats_tree.commune))
    assert "reports/_statistics_body.html" not in rendered  # from the fragment cache
    body = third.content.decode()
    assert "6/8 = 75,00 %" in body and 'href="/dang-vien/?org=' in body
    assert second.content.decode().count("<tr") == body.count("<tr") > 20


def test_the_statistics_page_links_the_meeting_statistics_of_the_same_organisation(world, login):
    body = login(world.commune_officer).get(page(world.commune)).content.decode()
    assert f'href="{reverse("meetings:stats", args=[world.commune.pk])}"' in body
    meetings_home = login(world.commune_officer).get(reverse("meetings:index")).content.decode()
    assert reverse("meetings:stats_index") in meetings_home
    member_home = login(world.member).get(reverse("meetings:index")).content.decode()
    assert reverse("meetings:stats_index") not in member_home
