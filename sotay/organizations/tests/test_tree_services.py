import pytest

from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.testing import make_member
from sotay.members.models import Member
from sotay.organizations import services
from sotay.organizations.models import Organization, OrgType, Seat
from sotay.organizations.queries import member_counts

pytestmark = pytest.mark.django_db


def fresh(org):
    return Organization.objects.get(pk=org.pk)


def test_it_moves_a_subtree_and_its_members_paths(world):
    c1, c2 = world.commune, world.commune2
    b1 = world.branch
    members_before = Member.objects.filter(org_path__startswith=b1.path).count()
    services.move_organization(actor=world.admin, org=b1, new_parent=c2)
    b1 = fresh(b1)
    assert b1.parent_org().pk == c2.pk
    assert Member.objects.filter(org_path__startswith=b1.path).count() == members_before
    assert not Member.objects.filter(organization=b1).exclude(org_path=b1.path).exists()
    assert member_counts(fresh(c2))["total"] == members_before + member_counts_for_b3(world)
    assert fresh(c1).numchild == 1
    assert AuditEntry.objects.filter(action="org.moved", target_id=str(b1.pk)).exists()


def member_counts_for_b3(world):
    return Member.objects.filter(organization=world.branch3).count()


def test_it_refuses_a_move_into_its_own_subtree(world):
    before = fresh(world.commune).path
    with pytest.raises(ServiceError, match="chính nó"):
        services.move_organization(actor=world.admin, org=world.commune, new_parent=world.branch)
    assert fresh(world.commune).path == before


def test_it_refuses_a_parent_type_that_cannot_hold_the_child(world):
    with pytest.raises(ServiceError, match="không thể có tổ chức con"):
        services.move_organization(actor=world.admin, org=world.commune2, new_parent=world.branch)


def test_it_merges_a_branch_into_another_and_keeps_history(world):
    b1, b2 = world.branch, world.sibling
    moved = Member.objects.filter(organization=b1).count()
    total_b2 = Member.objects.filter(organization=b2).count()
    services.merge_organization(actor=world.office, source=b1, target=b2)
    b1, b2 = fresh(b1), fresh(b2)
    assert b1.valid_to is not None and b1.successor_id == b2.pk
    assert Member.objects.filter(organization=b2).count() == moved + total_b2
    assert not Seat.objects.filter(organization=b1, ends_on__isnull=True).exists()
    assert list(b2.predecessors.all()) == [b1]
    assert world.member.member.__class__.objects.get(pk=world.member.member_id).org_path == b2.path


def test_it_merges_a_commune_moving_children(world):
    services.merge_organization(actor=world.admin, source=world.commune2, target=world.commune)
    b3 = fresh(world.branch3)
    assert b3.parent_org().pk == world.commune.pk
    assert Member.objects.get(pk=world.province_officer.member_id).org_path == b3.path


def test_it_refuses_a_merge_across_provinces_without_a_role_there(world):
    other = world.other_province
    target = other.create_child(
        code="Q1", name="Đảng bộ phường Xa", org_type=OrgType.ABOVE_GRASSROOTS
    )
    with pytest.raises(PermissionDenied):
        services.merge_organization(actor=world.office, source=world.commune, target=target)
    assert fresh(world.commune).valid_to is None


def test_plain_member_cannot_rename(world):
    with pytest.raises(PermissionDenied):
        services.rename_organization(actor=world.member, org=world.branch, name="Tên mới hoàn toàn")


def test_it_rejects_duplicate_codes(world):
    with pytest.raises(ServiceError, match="đã được dùng"):
        services.create_organization(
            actor=world.admin,
            code="b1",
            name="Chi bộ trùng",
            org_type=OrgType.GRASSROOTS_BRANCH,
            parent=world.commune,
        )


def test_seats_need_a_full_member_of_the_organisation(world):
    prob = world.probationary.member
    with pytest.raises(ServiceError, match="chính thức"):
        services.assign_seat(
            actor=world.office, org=world.branch, member=prob, position="pho_bi_thu"
        )
    stranger = make_member(world.branch3, "Lý Văn Xa")
    with pytest.raises(ServiceError, match="không sinh hoạt"):
        services.assign_seat(
            actor=world.admin, org=world.branch, member=stranger, position="pho_bi_thu"
        )


def test_slow_subtree_counts_are_served_from_a_five_minute_rollup(world, monkeypatch):
    from django.core.cache import cache

    from sotay.organizations import queries

    cache.clear()
    live = member_counts(world.commune)
    assert cache.get(f"member_counts:{world.commune.path}") is None  # fast: counted live
    monkeypatch.setattr(queries, "ROLLUP_THRESHOLD_SECONDS", -1.0)  # pretend it was slow
    assert member_counts(world.commune) == live
    make_member(world.branch, "Thành Viên Mới")
    assert member_counts(world.commune) == live  # served from the roll-up
    cache.clear()
    assert member_counts(world.commune)["total"] == live["total"] + 1
