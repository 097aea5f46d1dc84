"""Member portraits: checked by content, re-encoded without metadata, stored under a
random name, served only to whoever may read the record."""

import io
import os
import re
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.members.models import Member
from sotay.members.records import PHOTO_MAX_BYTES, set_photo

pytestmark = pytest.mark.django_db
WHY = "Ảnh mới chụp năm 2026"
GPS_IFD, ORIENTATION = 0x8825, 0x0112


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def image_bytes(fmt="JPEG", size=(900, 1200), mode="RGB", color="red", **save):
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def truncated_jpeg():
    """A JPEG whose header is whole but whose picture stops half way."""
    out = io.BytesIO()
    Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3)).save(out, "JPEG")
    return out.getvalue()[: len(out.getvalue()) // 2]


def upload(data, name="anh.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def phone_jpeg():
    """A 900×1200 JPEG as a phone writes it: rotated by the EXIF orientation tag (6 =
    turn 90° clockwise to display) and carrying the GPS position."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "Phone maker"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (21.0, 1.0, 42.0)
    data = image_bytes(size=(900, 1200), exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the test has a GPS tag
    return data


def stored(member):
    member = Member.objects.get(pk=member.pk)
    return member, Image.open(member.photo.path)


def files_in(media):
    return sorted(p.name for p in media.rglob("*") if p.is_file()) if media.exists() else []


def test_a_phone_jpeg_is_turned_upright_shrunk_and_stripped_of_exif(world, media):
    person = world.member.member
    set_photo(actor=world.office, member=person, upload=upload(phone_jpeg()), reason=WHY)
    person, img = stored(person)
    assert img.format == "JPEG" and img.mode == "RGB"
    assert img.size == (600, 450)  # 1200×900 once upright, long side 600
    assert not img.getexif() and "exif" not in img.info and "icc_profile" not in img.info
    raw = Path(person.photo.path).read_bytes()
    assert b"Exif" not in raw and b"Phone maker" not in raw
    # A random name: nothing of the member in the storage path.
    assert re.fullmatch(r"members/photos/[0-9a-f]{32}\.jpg", person.photo.name)
    entry = AuditEntry.objects.get(action="members.photo_changed")
    assert entry.actor == world.office and entry.note == WHY
    assert entry.target_id == str(person.pk) and entry.org_path == person.org_path


def test_a_transparent_png_and_a_webp_are_accepted_as_jpeg(world):
    person = world.member.member
    png = image_bytes("PNG", size=(300, 400), mode="RGBA", color=(0, 0, 0, 0))
    set_photo(
        actor=world.office, member=person, upload=upload(png, "a.png", "image/png"), reason=WHY
    )
    person, img = stored(person)
    assert img.format == "JPEG" and img.size == (300, 400)
    assert img.getpixel((10, 10)) == (255, 255, 255)  # transparency on white, not black
    webp = image_bytes("WEBP", size=(2000, 1000))
    set_photo(actor=world.office, member=person, upload=upload(webp, "a.webp"), reason=WHY)
    assert stored(person)[1].size == (600, 300)


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"Day la van ban, khong phai anh. " * 40, "anh.jpg", "không phải là ảnh JPEG, PNG"),
        (image_bytes("GIF", size=(300, 400), mode="P"), "anh.jpg", "không phải là ảnh JPEG, PNG"),
        (image_bytes(size=(80, 400)), "anh.jpg", "ảnh quá nhỏ (80×400 điểm ảnh)"),
        (image_bytes("PNG", size=(6001, 200), mode="1"), "a.png", "ảnh quá lớn (6001×200"),
        (truncated_jpeg(), "anh.jpg", "không đọc được ảnh (tệp bị hỏng?)"),
        (b"", "anh.jpg", "tệp rỗng"),
    ],
)
def test_bad_files_are_refused_by_content_and_nothing_is_saved(world, media, data, name, message):
    person = world.member.member
    with pytest.raises(ServiceError) as exc:
        set_photo(actor=world.office, member=person, upload=upload(data, name), reason=WHY)
    assert exc.value.field == "photo"
    assert exc.value.message.startswith("Ảnh chân dung: ") and message in exc.value.message
    assert not Member.objects.get(pk=person.pk).photo
    assert files_in(media) == [] and not AuditEntry.objects.filter(
        action__startswith="members.photo"
    )


def test_a_file_over_2_mb_is_refused_even_when_its_size_is_not_declared(world, media):
    noise = Image.frombytes("RGB", (1100, 1100), os.urandom(1100 * 1100 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    big = out.getvalue()
    assert len(big) > PHOTO_MAX_BYTES
    with pytest.raises(ServiceError, match="tệp quá lớn"):
        set_photo(actor=world.office, member=world.member.member, upload=upload(big), reason=WHY)

    class Undeclared(io.BytesIO):
        size = None

    with pytest.raises(ServiceError, match="tệp quá lớn"):
        set_photo(
            actor=world.office, member=world.member.member, upload=Undeclared(big), reason=WHY
        )
    assert files_in(media) == []


def _png_header_only(width, height):
    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_before_decoding(world):
    # 100,000 × 100,000 pixels declared in a 45-byte file: 30 GB once decoded.
    bomb = _png_header_only(100_000, 100_000)
    with pytest.raises(ServiceError, match="ảnh quá lớn"):
        set_photo(actor=world.office, member=world.member.member, upload=upload(bomb), reason=WHY)


def test_reason_is_required(world):
    with pytest.raises(ServiceError) as exc:
        set_photo(
            actor=world.office, member=world.member.member, upload=upload(phone_jpeg()), reason=" "
        )
    assert exc.value.field == "reason"


@pytest.mark.parametrize("persona", ["member", "secretary", "commune_officer", "inspector"])
def test_only_members_edit_may_change_a_photo(world, media, persona):
    with pytest.raises(PermissionDenied) as exc:
        set_photo(
            actor=world.persona(persona),
            member=world.member.member,
            upload=upload(phone_jpeg()),
            reason=WHY,
        )
    if persona == "member":  # their own record: pointed to the correction request
        assert "đề nghị sửa hồ sơ" in exc.value.message
    assert files_in(media) == []


def test_a_new_photo_replaces_the_old_file_after_commit(
    world, media, django_capture_on_commit_callbacks
):
    person = world.member.member
    set_photo(actor=world.office, member=person, upload=upload(phone_jpeg()), reason=WHY)
    first = Member.objects.get(pk=person.pk).photo.name
    with django_capture_on_commit_callbacks(execute=True):
        set_photo(actor=world.admin, member=person, upload=upload(image_bytes()), reason=WHY)
    second = Member.objects.get(pk=person.pk).photo.name
    assert first != second and files_in(media) == [os.path.basename(second)]
    assert AuditEntry.objects.filter(action="members.photo_changed").count() == 2


# ----- the pages -----------------------------------------------------------------------


def _with_photo(world):
    person = world.member.member
    set_photo(actor=world.office, member=person, upload=upload(phone_jpeg()), reason=WHY)
    return person


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("member", 200),  # their own
        ("secretary", 200),
        ("commune_officer", 200),
        ("province_officer", 200),
        ("office", 200),
        ("inspector", 200),
        ("admin", 200),
        ("probationary", 404),  # same branch, no members.view
        ("outsider", 404),  # sibling branch
    ],
)
def test_the_photo_is_served_only_to_readers_of_the_record(world, login, persona, expected):
    person = _with_photo(world)
    response = login(world.persona(persona)).get(reverse("members:photo", args=[person.pk]))
    assert response.status_code == expected
    viewed = AuditEntry.objects.filter(action="members.photo_viewed")
    if expected == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"].startswith("private")
        body = b"".join(response.streaming_content)
        assert Image.open(io.BytesIO(body)).size == (600, 450)
        assert viewed.get().actor == world.persona(persona)
    else:
        assert not viewed.exists()


def test_no_photo_answers_404_and_the_page_shows_a_placeholder(world, login):
    client = login(world.secretary)
    person = world.member.member
    assert client.get(reverse("members:photo", args=[person.pk])).status_code == 404
    page = client.get(reverse("members:detail", args=[person.pk])).content.decode()
    assert 'aria-label="Chưa có ảnh chân dung"' in page
    assert reverse("members:photo", args=[person.pk]) not in page
    assert "Thêm ảnh chân dung" not in page  # the secretary may not change it


def test_photos_are_not_under_the_public_media_url(world, client):
    person = _with_photo(world)
    assert client.get("/media/" + person.photo.name).status_code in (302, 404)
    client.force_login(world.admin, backend="sotay.accounts.backends.IdentifierBackend")
    assert client.get("/media/" + person.photo.name).status_code == 404


def test_office_uploads_a_photo_on_the_member_page(world, login):
    client = login(world.office)
    person = world.member.member
    url = reverse("members:set_photo", args=[person.pk])
    assert (
        "Thêm ảnh chân dung"
        in client.get(reverse("members:detail", args=[person.pk])).content.decode()
    )
    response = client.post(url, {"photo": upload(phone_jpeg()), "reason": WHY})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert (
        "Đã cập nhật ảnh chân dung." in page and reverse("members:photo", args=[person.pk]) in page
    )
    assert "Đổi ảnh chân dung" in page


def test_a_refused_upload_shows_the_message_on_the_form(world, login, media):
    client = login(world.office)
    person = world.member.member
    url = reverse("members:set_photo", args=[person.pk])
    response = client.post(url, {"photo": upload(b"not an image at all", "anh.jpg"), "reason": WHY})
    assert response.status_code == 400
    assert (
        "Ảnh chân dung: tệp không phải là ảnh JPEG, PNG hoặc WebP hợp lệ."
        in response.content.decode()
    )
    assert not Member.objects.get(pk=person.pk).photo and files_in(media) == []
    response = client.post(url, {"reason": WHY})
    assert "Ảnh chân dung: hãy chọn một tệp ảnh." in response.content.decode()


@pytest.mark.parametrize(
    "persona,expected", [("secretary", 403), ("member", 403), ("outsider", 404)]
)
def test_who_may_not_upload(world, login, media, persona, expected):
    url = reverse("members:set_photo", args=[world.member.member_id])
    response = login(world.persona(persona)).post(
        url, {"photo": upload(phone_jpeg()), "reason": WHY}
    )
    assert response.status_code == expected
    assert files_in(media) == []
    assert login(world.office).get(url).status_code == 405
