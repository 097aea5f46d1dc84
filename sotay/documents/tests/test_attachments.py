"""Attachments: the type comes from the bytes, the size is capped, text is extracted and
searched, a broken file is kept and flagged, and downloads follow the document's scope."""

import pytest

from sotay.core.errors import ServiceError
from sotay.documents import services
from sotay.documents.models import MAX_ATTACHMENT_BYTES, Attachment
from sotay.documents.queries import documents_visible_to, search_documents
from sotay.documents.testing import docx_bytes, make_document, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    return make_document(world, world.branch, actor=world.office, publish=False)


def _add(world, draft, data, name):
    return services.add_attachment(actor=world.office, document=draft, data=data, filename=name)


def test_docx_text_is_extracted_and_searchable(world, draft):
    item = _add(world, draft, docx_bytes("Điều 1. Phát triển kinh tế số", "Điều 2."), "nq.docx")
    assert item.content_type.endswith("wordprocessingml.document")
    assert "Phát triển kinh tế số" in item.text and not item.extraction_failed
    services.publish(actor=world.office, document=draft)
    visible = documents_visible_to(world.member)
    assert list(search_documents(visible, "phat trien kinh te so")) == [draft]


def test_pdf_text_in_flate_streams_is_extracted(world, draft, tmp_path):
    item = _add(world, draft, pdf_bytes("Chuong trinh hanh dong", "Muc tieu 2030"), "kh.pdf")
    assert item.content_type == "application/pdf"
    assert "Chuong trinh hanh dong\nMuc tieu 2030" in item.text
    assert not item.extraction_failed
    assert (tmp_path / item.file.name).read_bytes().startswith(b"%PDF-")
    assert "chuong trinh hanh dong" in type(draft).objects.get(pk=draft.pk).search_text


def test_a_broken_pdf_is_kept_and_flagged(world, draft):
    item = _add(world, draft, b"%PDF-1.7\n\x00\x01 garbage, no objects at all", "hong.pdf")
    assert item.pk and item.extraction_failed and item.text == ""


def test_a_program_renamed_pdf_is_refused(world, draft):
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    with pytest.raises(ServiceError) as err:
        _add(world, draft, exe, "nghi-quyet.pdf")
    assert err.value.field == "file" and "PDF" in err.value.message
    assert not Attachment.objects.exists()


def test_a_zip_that_is_not_a_word_document_is_refused(world, draft):
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("virus.exe", b"MZ")
    with pytest.raises(ServiceError):
        _add(world, draft, out.getvalue(), "van-ban.docx")


def test_oversize_and_empty_files_are_refused(world, draft):
    with pytest.raises(ServiceError, match="20 MB"):
        _add(world, draft, b"%PDF-1.4\n" + b"0" * MAX_ATTACHMENT_BYTES, "lon.pdf")
    with pytest.raises(ServiceError, match="rỗng"):
        _add(world, draft, b"", "rong.pdf")
    assert not Attachment.objects.exists()


def test_a_secret_attachment_is_refused(world, draft):
    with pytest.raises(ServiceError, match="Tài liệu mật"):
        _add(world, draft, docx_bytes("TỐI MẬT", "Kế hoạch bảo vệ"), "kh.docx")
    assert not Attachment.objects.exists()


def test_file_names_are_not_trusted_as_paths(world, draft):
    item = _add(world, draft, docx_bytes("Nội dung"), "../../etc/<b>passwd</b>.docx")
    assert item.original_name == "passwd.docx"
    assert item.file.name.startswith("documents/") and ".." not in item.file.name


def test_downloads_follow_the_documents_scope(world, draft, login):
    item = _add(world, draft, pdf_bytes("Noi dung"), "kh.pdf")
    url = f"/van-ban/{draft.pk}/tep/{item.pk}/"
    assert login(world.member).get(url).status_code == 404  # still a draft
    services.publish(actor=world.office, document=draft)
    response = login(world.member).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert login(world.outsider).get(url).status_code == 404
    other = make_document(world, world.branch)
    assert login(world.member).get(f"/van-ban/{other.pk}/tep/{item.pk}/").status_code == 404
