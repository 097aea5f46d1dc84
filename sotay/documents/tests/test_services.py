"""Writing documents: who may publish, secrecy, sanitising, formats and states."""

import pytest

from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.documents import services
from sotay.documents.models import Document, DocumentState
from sotay.documents.testing import make_document

pytestmark = pytest.mark.django_db


def _fields(org, **extra):
    fields = {
        "kind": "nghi_quyet",
        "title": "Nghị quyết về công tác xây dựng Đảng",
        "issuer_name": "Ban Chấp hành Trung ương",
        "audience_org": org,
    }
    fields.update(extra)
    return fields


def test_the_office_drafts_and_publishes_inside_its_subtree(world):
    draft = services.create_draft(actor=world.office, **_fields(world.branch))
    assert draft.state == DocumentState.DRAFT and draft.path == world.branch.path
    published = services.publish(actor=world.office, document=draft)
    assert published.state == DocumentState.PUBLISHED and published.published_at
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"documents.draft_created", "documents.published"} <= actions


@pytest.mark.parametrize(
    "persona", ["member", "secretary", "commune_officer", "province_officer", "inspector"]
)
def test_nobody_without_the_office_role_drafts(world, persona):
    with pytest.raises(PermissionDenied):
        services.create_draft(actor=world.persona(persona), **_fields(world.branch))
    assert not Document.objects.exists()


def test_the_office_cannot_address_another_subtree(world):
    for org in (world.commune2, world.province, world.other_province):
        with pytest.raises(PermissionDenied):
            services.create_draft(actor=world.office, **_fields(org))


def test_the_office_cannot_publish_or_withdraw_outside_its_subtree(world):
    draft = make_document(world, world.commune2, publish=False)
    with pytest.raises(PermissionDenied):
        services.publish(actor=world.office, document=draft)
    published = make_document(world, world.commune2)
    with pytest.raises(PermissionDenied):
        services.withdraw(actor=world.office, document=published, reason="Không còn hiệu lực")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "MẬT\nNghị quyết về quốc phòng"),
        ("body", "Độ mật: Tối mật\nNội dung..."),
        ("body", "Tuyệt mật\n\nNội dung"),
        ("summary", "TỐI MẬT - chỉ lưu hành nội bộ"),
        ("tags", "mật"),
    ],
)
def test_secret_documents_are_refused_and_nothing_is_stored(world, field, value):
    with pytest.raises(ServiceError) as err:
        services.create_draft(actor=world.office, **_fields(world.branch, **{field: value}))
    assert err.value.message.startswith("Tài liệu mật không được đưa lên hệ thống kết nối Internet")
    assert not Document.objects.exists()


def test_the_secret_checkbox_is_refused(world):
    with pytest.raises(ServiceError, match="Tài liệu mật"):
        services.create_draft(actor=world.office, secret=True, **_fields(world.branch))


def test_the_word_secret_in_running_text_is_not_a_mark(world):
    doc = services.create_draft(
        actor=world.office,
        **_fields(world.branch, body="Giữ gìn mối quan hệ mật thiết với nhân dân; giữ bí mật."),
    )
    assert doc.pk


def test_html_and_script_are_stored_as_plain_text(world):
    doc = services.create_draft(
        actor=world.office,
        **_fields(
            world.branch,
            title='<b>Nghị quyết</b> <script>alert("x")</script>mới',
            summary='<img src=x onerror="alert(1)">Trích yếu &amp; tóm tắt',
            body="<p>Đoạn 1</p><iframe src='//evil'></iframe>",
            tags="<i>xây dựng Đảng</i>, ,  học tập ",
            issuer_name="<a href='javascript:x'>Bộ Chính trị</a>",
        ),
    )
    doc.refresh_from_db()
    assert doc.title == "Nghị quyết mới"
    assert doc.summary == "Trích yếu & tóm tắt"
    assert doc.body == "Đoạn 1"
    assert doc.tags == "xây dựng Đảng, học tập"
    assert doc.issuer_name == "Bộ Chính trị"
    for value in (doc.title, doc.summary, doc.body, doc.tags, doc.issuer_name):
        assert "<" not in value and "script" not in value


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "  "}, "title", "Tiêu đề"),
        ({"title": "<script>x</script>"}, "title", "Tiêu đề"),
        ({"symbol": "NQ 52 TW"}, "symbol", "Số hiệu"),
        ({"symbol": "52-NQ-TW"}, "symbol", "Số hiệu"),
        ({"kind": "thu_tin"}, "kind", "Loại văn bản"),
        ({"issuer_name": ""}, "issuer_name", "Cơ quan ban hành"),
        ({"title": "x" * 501}, "title", "Tiêu đề"),
    ],
)
def test_bad_fields_are_refused_naming_the_field(world, fields, field, message):
    with pytest.raises(ServiceError) as err:
        services.create_draft(actor=world.office, **_fields(world.branch, **fields))
    assert err.value.field == field and err.value.message.startswith(message)


def test_symbols_are_stored_as_printed(world):
    doc = services.create_draft(actor=world.office, **_fields(world.branch, symbol=" 52-nq/tw "))
    assert doc.symbol == "52-NQ/TW" and doc.symbol_key == "52nqtw"


def test_withdrawing_needs_a_reason_and_keeps_it(world):
    doc = make_document(world, world.branch, actor=world.office)
    with pytest.raises(ServiceError) as err:
        services.withdraw(actor=world.office, document=doc, reason=" ")
    assert err.value.field == "reason"
    doc = services.withdraw(actor=world.office, document=doc, reason="Ban hành nhầm đối tượng")
    assert doc.state == DocumentState.WITHDRAWN and doc.withdrawn_reason.startswith("Ban hành")


def test_only_drafts_are_edited_and_published(world):
    doc = make_document(world, world.branch, actor=world.office)
    with pytest.raises(ServiceError):
        services.update_draft(actor=world.office, document=doc, title="Sửa sau khi ban hành")
    with pytest.raises(ServiceError):
        services.publish(actor=world.office, document=doc)


def test_updating_a_draft_refreshes_its_path_and_search_text(world):
    doc = make_document(world, world.branch, actor=world.office, publish=False)
    doc = services.update_draft(
        actor=world.office, document=doc, audience_org=world.commune, title="Hướng dẫn mới"
    )
    assert doc.path == world.commune.path
    assert "huong dan moi" in doc.search_text


def test_read_receipts_are_kept_once_and_bookmarks_toggle(world):
    doc = make_document(world, world.branch)
    assert services.record_read(user=world.member, document=doc) is True
    assert services.record_read(user=world.member, document=doc) is False
    assert doc.reads.count() == 1
    assert services.toggle_bookmark(user=world.member, document=doc) is True
    assert services.toggle_bookmark(user=world.member, document=doc) is False
    assert not doc.bookmarks.exists()


def test_links_between_documents(world):
    old = make_document(world, world.branch, symbol="10-NQ/TW")
    new = make_document(world, world.branch, symbol="11-NQ/TW", publish=False)
    link = services.link_documents(actor=world.admin, source=new, target=old, relation="replaces")
    assert link.get_relation_display() == "Thay thế"
    with pytest.raises(ServiceError):
        services.link_documents(actor=world.admin, source=new, target=old, relation="amends")
    with pytest.raises(ServiceError):
        services.link_documents(actor=world.admin, source=new, target=new, relation="amends")
