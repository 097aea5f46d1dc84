import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from sotay.audit.models import AuditEntry, AuditError
from sotay.audit.services import record

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_edited_or_deleted_through_the_app(world):
    entry = record(action="test.x", actor=world.admin, ip="127.0.0.1", target=world.branch)
    entry.note = "sửa"
    with pytest.raises(AuditError):
        entry.save()
    with pytest.raises(AuditError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only"
)
def test_postgresql_refuses_updates_and_deletes_at_the_database(world):
    entry = record(action="test.x", actor=world.admin, ip="127.0.0.1")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(note="sửa")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk, note="").exists()


def test_viewing_a_member_record_is_audited_with_who_and_where(world, login):
    client = login(world.secretary)
    client.get(reverse("members:detail", args=[world.member.member_id]), REMOTE_ADDR="10.1.2.3")
    entry = AuditEntry.objects.get(action="members.viewed")
    assert entry.actor == world.secretary and entry.ip == "10.1.2.3"
    assert entry.target_id == str(world.member.member_id) and entry.org_path == world.branch.path


def test_auditor_screen_is_limited_to_the_subtree(world, login):
    record(action="test.in_scope", target=world.branch)
    record(action="test.other_province", target=world.other_province)
    inspector = login(world.inspector)
    page = inspector.get(reverse("audit:list")).content.decode()
    assert "test.in_scope" in page and "test.other_province" not in page
    filtered = inspector.get(reverse("audit:list"), {"org": "C2"}).content.decode()
    assert "test.in_scope" not in filtered
    outside = inspector.get(reverse("audit:list"), {"org": "Q"}).content.decode()
    assert "Không tìm thấy tổ chức" in outside and "test.other_province" not in outside


def test_role_grants_and_tree_changes_are_audited(world, login):
    from sotay.accounts.services import grant_role
    from sotay.organizations.services import rename_organization

    grant_role(actor=world.office, user=world.member, org=world.branch, role="officer")
    rename_organization(actor=world.office, org=world.branch, name="Chi bộ Khu phố Một")
    granted = AuditEntry.objects.get(action="accounts.role_granted")
    assert granted.actor == world.office and "Cán bộ cấp ủy @ B1" in str(granted.changes)
    renamed = AuditEntry.objects.get(action="org.renamed")
    assert renamed.changes == {"name": ["Chi bộ Khu phố 1", "Chi bộ Khu phố Một"]}
