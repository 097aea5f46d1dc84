"""The reader with the shared cache (documents.reader): the document's shared part is
kept per document, access is still decided per reader, and every change that shows on
the page reaches the next view once committed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sotay.documents import reader, services
from sotay.documents.models import AudienceLevel, DocumentRead
from sotay.documents.testing import make_document, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    calls = []
    real = reader._build

    def counting(pk):
        calls.append(pk)
        return real(pk)

    monkeypatch.setattr(reader, "_build", counting)
    return calls


def view(client, user, document):
    client.force_login(user)
    return client.get(f"/van-ban/{document.pk}/")


def test_a_second_reader_costs_one_statement_and_no_build(world, client, shared, builds):
    document = make_document(
        world, world.commune, title="Nghị quyết của phường", tags="chuyển đổi số"
    )
    assert view(client, world.secretary, document).status_code == 200
    view(client, world.member, document)  # the member's session user, grants and receipt
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/van-ban/{document.pk}/")
    assert response.status_code == 200 and "Nghị quyết của phường" in response.content.decode()
    # The receipt and the bookmark: one statement on PostgreSQL, two elsewhere.
    expected = 1 if connection.vendor == "postgresql" else 2
    assert len(ctx.captured_queries) == expected, [q["sql"] for q in ctx.captured_queries]
    assert builds == [document.pk]
    assert DocumentRead.objects.filter(document=document).count() == 2


def test_a_cached_document_still_answers_404_outside_the_readers_scope(
    world, client, shared, builds
):
    plan = make_document(world, world.branch, title="Kế hoạch chi bộ 1")
    internal = make_document(
        world, world.commune, title="Nội bộ cấp ủy", audience_level=AudienceLevel.COMMITTEE
    )
    assert view(client, world.member, plan).status_code == 200
    assert view(client, world.secretary, internal).status_code == 200
    assert view(client, world.outsider, plan).status_code == 404
    assert view(client, world.member, internal).status_code == 404
    assert len(builds) == 2  # both answers came from the kept entries
    assert not DocumentRead.objects.filter(user=world.outsider).exists()
    assert view(client, world.member, type("D", (), {"pk": 999999})()).status_code == 404


def test_withdrawing_reaches_the_next_view(
    world, client, shared, django_capture_on_commit_callbacks
):
    document = make_document(world, world.branch, title="Văn bản sẽ thu hồi")
    assert view(client, world.member, document).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(actor=world.admin, document=document, reason="Ban hành nhầm")
    assert view(client, world.member, document).status_code == 404
    page = view(client, world.admin, document).content.decode()
    assert "Ban hành nhầm" in page


def test_a_new_link_and_a_linked_documents_withdrawal_show_on_both_ends(
    world, client, shared, django_capture_on_commit_callbacks
):
    old = make_document(world, world.province, title="Nghị quyết cũ")
    new = make_document(world, world.province, title="Nghị quyết thay thế")
    assert "Nghị quyết thay thế" not in view(client, world.member, old).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.link_documents(actor=world.admin, source=new, target=old, relation="replaces")
    assert "Nghị quyết thay thế" in view(client, world.member, old).content.decode()
    assert "Nghị quyết cũ" in view(client, world.member, new).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(actor=world.admin, document=new, reason="Sai thẩm quyền")
    # The link's other end is no longer readable: it leaves the old document's page.
    assert "Nghị quyết thay thế" not in view(client, world.member, old).content.decode()


def test_an_attachment_added_before_publishing_is_listed(
    world, client, shared, django_capture_on_commit_callbacks
):
    document = make_document(world, world.branch, title="Kế hoạch có tệp", publish=False)
    assert view(client, world.admin, document).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.add_attachment(
            actor=world.admin, document=document, data=pdf_bytes("Noi dung"), filename="kh.pdf"
        )
        services.publish(actor=world.admin, document=document)
    assert "kh.pdf" in view(client, world.member, document).content.decode()


def test_renaming_the_issuing_organisation_reaches_every_document(
    world, client, shared, django_capture_on_commit_callbacks
):
    document = make_document(world, world.branch, title="Kế hoạch chi bộ")
    assert "Chi bộ Khu phố 1" in view(client, world.member, document).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        world.branch.name = "Chi bộ Khu phố Một"
        world.branch.save()
    assert "Chi bộ Khu phố Một" in view(client, world.member, document).content.decode()


def test_bookmarks_are_the_readers_own_and_never_cached(world, client, shared):
    document = make_document(world, world.branch, title="Đọc sau")
    services.toggle_bookmark(user=world.member, document=document)
    assert 'aria-pressed="true"' in view(client, world.member, document).content.decode()
    assert 'aria-pressed="true"' not in view(client, world.probationary, document).content.decode()


@pytest.fixture
def rendered(monkeypatch):
    """The templates the reader rendered its header and text with, in order."""
    names = []
    real = reader.render_to_string

    def counting(name, context):
        names.append(name)
        return real(name, context)

    monkeypatch.setattr(reader, "render_to_string", counting)
    return names


def test_the_text_is_rendered_once_per_build_and_again_after_a_change(
    world, client, shared, rendered, django_capture_on_commit_callbacks
):
    document = make_document(world, world.commune, title="Nghị quyết của phường")
    view(client, world.member, document)
    view(client, world.secretary, document)
    assert rendered.count("documents/_reader_text.html") == 1  # the second reader reused it
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(actor=world.admin, document=document, reason="Ban hành nhầm")
    html = view(client, world.admin, document).content.decode()
    assert "Văn bản đã bị thu hồi" in html and "Nghị quyết của phường" in html
    assert rendered.count("documents/_reader_text.html") == 2  # a new build, a new rendering


def test_without_a_shared_cache_the_text_is_rendered_each_time(world, client, rendered):
    document = make_document(world, world.commune, title="Nghị quyết của phường")
    view(client, world.member, document)
    view(client, world.member, document)
    assert rendered.count("documents/_reader_text.html") == 2
