"""Writing the handbook: only system administrators; text sanitised; the tree's order
kept without gaps through creates, moves, shifts and deletes; every write audited."""

import pytest

from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.testing import PERSONAS
from sotay.handbook import services
from sotay.handbook.models import Page
from sotay.handbook.testing import make_page

pytestmark = pytest.mark.django_db


def _order(parent=None):
    return list(
        Page.objects.filter(parent=parent).order_by("position").values_list("title", "position")
    )


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "admin"])
def test_only_system_administrators_edit(world, persona):
    actor = world.persona(persona)
    page = make_page(world, "Kết nạp đảng viên")
    with pytest.raises(PermissionDenied):
        services.create_page(actor=actor, title="Trang của tôi")
    with pytest.raises(PermissionDenied):
        services.update_page(actor=actor, page=page, title="Đổi tên")
    with pytest.raises(PermissionDenied):
        services.set_published(actor=actor, page=page, published=False)
    with pytest.raises(PermissionDenied):
        services.move_page(actor=actor, page=page, parent=None, position=1)
    with pytest.raises(PermissionDenied):
        services.delete_page(actor=actor, page=page)
    page.refresh_from_db()
    assert page.title == "Kết nạp đảng viên" and page.published
    assert Page.objects.count() == 1


def test_an_office_admin_grant_on_a_subtree_does_not_reach_the_handbook(world):
    from sotay.accounts.models import Role, RoleGrant

    RoleGrant.objects.create(user=world.office, organization=world.province, role=Role.ADMIN)
    world.office.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.create_page(actor=world.office, title="Trang")


@pytest.mark.parametrize(
    "dirty",
    [
        "<p>Chào<script>alert(1)</script></p>",
        '<p><img src="x" onerror="alert(1)">Chào</p>',
        '<p><a href="javascript:alert(1)">Chào</a></p>',
        '<p onclick="steal()" style="color:red">Chào</p>',
        '<iframe src="https://evil.example"></iframe><p>Chào</p>',
    ],
)
def test_the_body_is_sanitised_before_it_is_stored(world, dirty):
    page = make_page(world, "Trang", body=dirty)
    stored = Page.objects.get(pk=page.pk).body
    for bad in ("script", "onerror", "javascript:", "onclick", "style=", "iframe", "alert"):
        assert bad not in stored
    assert "Chào" in stored
    # The edit path sanitises as the create path does.
    services.update_page(actor=world.admin, page=page, title="Trang", body=dirty)
    assert "alert" not in Page.objects.get(pk=page.pk).body


def test_plain_fields_drop_tags_and_the_search_text_is_folded(world):
    page = make_page(
        world,
        "<b>Kết nạp</b> đảng viên",
        summary="<script>x()</script>Các bước",
        body="<h2>Biểu quyết</h2><p>Hai phần ba số đảng viên chính thức.</p>",
        sources="Điều lệ Đảng",
    )
    assert page.title == "Kết nạp đảng viên"
    assert page.summary == "Các bước"
    assert page.slug == "ket-nap-dang-vien"
    for word in (" ket nap dang vien ", " bieu quyet ", " hai phan ba ", " dieu le dang "):
        assert word in page.search_text


def test_slugs_are_unique_and_checked(world):
    first = make_page(world, "Kết nạp đảng viên")
    second = make_page(world, "Kết nạp Đảng viên!")
    assert (first.slug, second.slug) == ("ket-nap-dang-vien", "ket-nap-dang-vien-2")
    assert make_page(world, "Trang mới").slug == "trang-moi-2"  # reserved by the URLs
    with pytest.raises(ServiceError) as exc:
        services.create_page(actor=world.admin, title="X", slug="ket-nap-dang-vien")
    assert exc.value.field == "slug" and "Đường dẫn" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        services.create_page(actor=world.admin, title="X", slug="kết nạp")
    assert exc.value.field == "slug"
    page = services.update_page(actor=world.admin, page=second, title="Khác", slug="khac")
    assert page.slug == "khac"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"title": "   "}, "title"),
        ({"title": "<script>x</script>"}, "title"),
        ({"title": "a" * 256}, "title"),
        ({"title": "Được", "summary": "b" * 2001}, "summary"),
        ({"title": "Được", "body": "<p>" + "c" * 200_001 + "</p>"}, "body"),
    ],
)
def test_bad_input_is_refused_with_a_vietnamese_message_naming_the_field(world, fields, field):
    with pytest.raises(ServiceError) as exc:
        services.create_page(actor=world.admin, **fields)
    assert exc.value.field == field
    assert exc.value.message.split(":")[0] in ("Tiêu đề", "Tóm tắt", "Nội dung")
    assert not Page.objects.exists()


def test_new_pages_go_last_and_moves_keep_both_lists_numbered(world):
    a, b, c = (make_page(world, t) for t in ("A", "B", "C"))
    a1, a2 = make_page(world, "A1", parent=a), make_page(world, "A2", parent=a)
    assert _order() == [("A", 1), ("B", 2), ("C", 3)]
    assert _order(a) == [("A1", 1), ("A2", 2)]

    services.move_page(actor=world.admin, page=c, parent=a, position=1)
    assert _order() == [("A", 1), ("B", 2)]
    assert _order(a) == [("C", 1), ("A1", 2), ("A2", 3)]

    services.move_page(actor=world.admin, page=a2, parent=a, position=1)
    assert _order(a) == [("A2", 1), ("C", 2), ("A1", 3)]

    services.move_page(actor=world.admin, page=a1, parent=None, position=None)
    assert _order() == [("A", 1), ("B", 2), ("A1", 3)]
    services.move_page(actor=world.admin, page=b, parent=None, position=99)
    assert _order() == [("A", 1), ("A1", 2), ("B", 3)]


def test_a_page_cannot_move_under_itself_or_its_children(world):
    a = make_page(world, "A")
    child = make_page(world, "A1", parent=a)
    for target in (a, child):
        with pytest.raises(ServiceError) as exc:
            services.move_page(actor=world.admin, page=a, parent=target)
        assert exc.value.field == "parent"
    assert Page.objects.get(pk=a.pk).parent_id is None


def test_the_tree_is_at_most_four_levels_deep(world):
    parent = None
    for title in ("1", "2", "3", "4"):
        parent = make_page(world, title, parent=parent)
    with pytest.raises(ServiceError):
        make_page(world, "5", parent=parent)


def test_shifting_swaps_neighbours_and_stops_at_the_ends(world):
    pages = [make_page(world, t) for t in ("A", "B", "C")]
    services.shift_page(actor=world.admin, page=pages[2], offset=-1)
    assert _order() == [("A", 1), ("C", 2), ("B", 3)]
    services.shift_page(actor=world.admin, page=Page.objects.get(title="A"), offset=-1)
    services.shift_page(actor=world.admin, page=Page.objects.get(title="B"), offset=1)
    assert _order() == [("A", 1), ("C", 2), ("B", 3)]


def test_only_leaves_are_deleted_and_later_siblings_move_up(world):
    a, b, c = (make_page(world, t) for t in ("A", "B", "C"))
    make_page(world, "A1", parent=a)
    with pytest.raises(ServiceError) as exc:
        services.delete_page(actor=world.admin, page=a)
    assert "trang con" in exc.value.message
    services.delete_page(actor=world.admin, page=b)
    assert _order() == [("A", 1), ("C", 2)]


def test_every_write_is_audited(world):
    page = make_page(world, "A", published=False)
    services.update_page(actor=world.admin, page=page, title="B")
    services.set_published(actor=world.admin, page=page, published=True)
    other = make_page(world, "C")
    services.move_page(actor=world.admin, page=other, parent=None, position=1)
    services.delete_page(actor=world.admin, page=other)
    actions = list(
        AuditEntry.objects.filter(action__startswith="handbook.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "handbook.page_created",
        "handbook.page_updated",
        "handbook.page_published",
        "handbook.page_created",
        "handbook.page_moved",
        "handbook.page_deleted",
    ]
    assert set(
        AuditEntry.objects.filter(action__startswith="handbook.").values_list("org_path", flat=True)
    ) == {""}
