"""The member list's filters, its audit, and the export of the filtered list."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sotay.audit.models import AuditEntry
from sotay.core.dates import add_months
from sotay.core.testing import make_member
from sotay.members import imports
from sotay.members.models import MemberStatus, Sex

pytestmark = pytest.mark.django_db


@pytest.fixture
def roll(world):
    """Five more members of branch B1 with known traits; today-relative ages."""
    today = dt.date.today()
    return {
        "young": make_member(world.branch, "Mai Thị Xuân", sex=Sex.FEMALE,
                             birth=add_months(today, -25 * 12), ethnicity="Tày",
                             joined_on=add_months(today, -2 * 12), admission_decided_on=None),
        "elder": make_member(world.branch, "Ông Văn Già", birth=add_months(today, -75 * 12),
                             joined_on=add_months(today, -45 * 12),
                             admission_decided_on=add_months(today, -45 * 12 - 1),
                             political_theory="cao_cap"),
        "exempt": make_member(world.branch, "Lương Văn Miễn", status=MemberStatus.EXEMPT,
                              birth=add_months(today, -65 * 12)),
        "dead": make_member(world.branch, "Hà Văn Mất", status=MemberStatus.DECEASED),
        "edge": make_member(world.branch, "Đúng Ba Mươi", birth=add_months(today, -30 * 12)),
    }  # fmt: skip


def names(response):
    return {m.full_name for m in response.context["page"].items}


def test_filters_narrow_the_list(world, login, roll):
    client = login(world.secretary)
    url = reverse("members:list")
    assert names(client.get(url, {"sex": "nu", "ethnicity": "Tày"})) == {"Mai Thị Xuân"}
    assert names(client.get(url, {"age": "71"})) == {"Ông Văn Già"}
    # 30 today is still in the "up to 30" band; 31 would not be.
    assert {"Mai Thị Xuân", "Đúng Ba Mươi"} <= names(client.get(url, {"age": "30"}))
    assert "Đúng Ba Mươi" not in names(client.get(url, {"age": "31-40"}))
    assert names(client.get(url, {"party_age": "40-49"})) == {"Ông Văn Già"}
    assert names(client.get(url, {"party_age": "0-4"})) == {"Mai Thị Xuân"}
    assert names(client.get(url, {"theory": "cao_cap"})) == {"Ông Văn Già"}
    assert names(client.get(url, {"status": "tu_tran"})) == {"Hà Văn Mất"}
    active = names(client.get(url, {"status": "dang-sinh-hoat"}))
    assert "Lương Văn Miễn" in active and "Hà Văn Mất" not in active
    # Combined with the name search, diacritics ignored.
    assert names(client.get(url, {"q": "mai thi", "sex": "nu"})) == {"Mai Thị Xuân"}
    # A bad value is ignored rather than an error page.
    assert client.get(url, {"age": "999", "sex": "x"}).status_code == 200


def test_the_filtered_list_is_audited_with_its_filters(world, login, roll):
    login(world.secretary).get(reverse("members:list"), {"sex": "nu", "age": "30"})
    entry = AuditEntry.objects.filter(action="members.listed").latest("id")
    assert (
        "Giới tính: Nữ" in entry.target_label and "Tuổi: Từ 30 tuổi trở xuống" in entry.target_label
    )
    assert entry.actor == world.secretary


def test_the_list_never_shows_another_branch(world, login, roll):
    client = login(world.secretary)
    everyone = names(client.get(reverse("members:list")))
    assert "Bùi Văn Khánh" not in everyone and "Mai Thị Xuân" in everyone  # B2's outsider
    org = client.get(reverse("members:list"), {"org": world.sibling.pk})
    assert org.status_code == 404
    commune = names(login(world.commune_officer).get(reverse("members:list")))
    assert {"Bùi Văn Khánh", "Mai Thị Xuân"} <= commune and "Hoàng Văn Em" not in commune


def test_the_list_page_query_count_does_not_grow(world, login, roll, django_assert_max_num_queries):
    client = login(world.commune_officer)
    client.get(reverse("members:list"))
    with django_assert_max_num_queries(8):
        client.get(reverse("members:list"), {"sex": "nam", "age": "41-50", "status": "chinh_thuc"})


def test_export_holds_the_filtered_rows_and_is_audited(world, login, roll):
    response = login(world.office).get(reverse("members:export"), {"sex": "nu"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[c.value for c in r] for r in wb["Đảng viên"].iter_rows()]
    assert rows[0][0].startswith("Danh sách đảng viên")
    header = rows[2]
    names_col = header.index("Họ và tên")
    exported = {r[names_col] for r in rows[3:]}
    # The office holds members.export on commune C1 only: B1 and B2 women, no one from C2.
    assert "Mai Thị Xuân" in exported and "Phạm Thị Dung" in exported
    assert "Nguyễn Văn An" not in exported
    entry = AuditEntry.objects.get(action="members.exported")
    assert entry.actor == world.office and entry.note == f"{len(exported)} đảng viên"


def test_export_neutralises_text_that_would_run_as_a_formula(world, login):
    evil = make_member(world.branch, "Người Lạ", religion='=HYPERLINK("http://x","bấm")')
    response = login(world.office).get(reverse("members:export"), {"q": "nguoi la"})
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ws = wb["Đảng viên"]
    header = [c.value for c in ws[3]]
    cell = ws.cell(row=4, column=header.index("Tôn giáo") + 1)
    assert cell.data_type == "s" and cell.value == "'" + evil.religion


def test_an_export_reimported_in_sync_mode_changes_nothing(world, login, roll):
    response = login(world.office).get(reverse("members:export"), {"org": world.commune.pk})
    data = b"".join(response.streaming_content)
    plan = imports.plan_import(
        actor=world.office, data=data, mode=imports.SYNC, scope=world.commune
    )
    assert plan.ok, plan.problems
    assert plan.new == [] and plan.changes == [] and plan.absent_count == 0
    # The deceased member is exported but is no longer on the roll; the exempt one is.
    assert plan.unchanged >= 8


@pytest.mark.parametrize("persona", ["secretary", "commune_officer", "inspector", "member"])
def test_people_without_members_export_cannot_export(world, login, persona):
    response = login(world.persona(persona)).get(reverse("members:export"))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="members.exported").exists()


def test_export_of_an_organisation_out_of_scope_is_not_found(world, login):
    response = login(world.office).get(reverse("members:export"), {"org": world.commune2.pk})
    assert response.status_code == 404


def test_a_preselected_subtree_lists_the_same_page(world, roll):
    """The id-array rewrite used for filtered lists below the city changes the plan, never
    the rows or their order."""
    from sotay.members.models import Member
    from sotay.members.queries import filter_members, preselected

    today = dt.date.today()
    for f in ({"sex": "nu"}, {"status": "dang-sinh-hoat", "age": "71"}, {"theory": "cao_cap"}):
        qs = filter_members(
            Member.objects.filter(org_path__startswith=world.commune.path), f, today
        )
        plain = list(qs.order_by("name_sort", "id").values_list("pk", flat=True))
        fast = list(preselected(qs).order_by("name_sort", "id").values_list("pk", flat=True))
        assert plain == fast and plain
