"""Cover images: the type comes from the bytes, size and pixels are capped before
decoding, the stored files are fresh JPEGs (≤ 1200 px and ≤ 480 px wide, no EXIF), and
a refused image stores nothing."""

import io

import pytest
from PIL import Image

from sotay.core.errors import ServiceError
from sotay.news import images, services
from sotay.news.models import Post
from sotay.news.testing import BODY, image_bytes, png_header_only

pytestmark = pytest.mark.django_db


@pytest.fixture
def private(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def draft(world, private):
    return services.create_draft(
        actor=world.office, title="Tin có ảnh", body=BODY, audience_org=world.commune
    )


def _files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def _exif_jpeg() -> bytes:
    img = Image.new("RGB", (2400, 1600), "darkred")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0)}  # GPS info
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_large_photo_is_resized_and_stripped_of_exif(world, draft, private):
    data = _exif_jpeg()
    assert Image.open(io.BytesIO(data)).getexif()
    post = services.set_cover(actor=world.office, post=draft, data=data)
    cover = Image.open(private / post.cover.name)
    thumb = Image.open(private / post.cover_thumb.name)
    assert cover.format == thumb.format == "JPEG"
    assert cover.size == (1200, 800) and thumb.size == (480, 320)
    assert not cover.getexif() and not thumb.getexif()
    assert "exif" not in cover.info and "icc_profile" not in cover.info


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_become_jpeg(world, draft, private, fmt):
    extra = {"alpha": True} if fmt == "PNG" else {}
    post = services.set_cover(
        actor=world.office, post=draft, data=image_bytes(fmt, size=(800, 600), **extra)
    )
    cover = Image.open(private / post.cover.name)
    assert cover.format == "JPEG" and cover.size == (800, 600)  # small ones keep their size


def test_an_exe_renamed_jpg_is_refused_and_nothing_is_saved(world, draft, private):
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 5000 + b"This program cannot be run in DOS"
    with pytest.raises(ServiceError) as exc:
        services.set_cover(actor=world.office, post=draft, data=exe)
    assert exc.value.field == "cover"
    assert exc.value.message.startswith("Ảnh bìa: tệp không phải là ảnh JPEG, PNG hoặc WebP")
    draft.refresh_from_db()
    assert not draft.cover and _files(private) == []


def test_a_gif_or_a_truncated_jpeg_is_refused(world, draft, private):
    with pytest.raises(ServiceError, match="không phải là ảnh"):
        services.set_cover(actor=world.office, post=draft, data=image_bytes("GIF"))
    with pytest.raises(ServiceError, match="Ảnh bìa"):
        services.set_cover(actor=world.office, post=draft, data=image_bytes()[:600])
    assert _files(private) == []


def test_a_6_mb_file_is_refused(world, draft, private):
    data = image_bytes() + b"\x00" * (6 * 1024 * 1024)
    with pytest.raises(ServiceError) as exc:
        services.set_cover(actor=world.office, post=draft, data=data)
    assert exc.value.message == "Ảnh bìa: tệp quá lớn; tối đa 5 MB."
    assert _files(private) == []


def test_an_upload_over_5_mb_is_refused_before_reading_it_all(private):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("anh.jpg", b"\xff" * (6 * 1024 * 1024), "image/jpeg")
    with pytest.raises(ServiceError) as exc:
        images.read_upload(upload)
    assert exc.value.message == "Ảnh bìa: tệp quá lớn (6,0 MB); tối đa 5 MB."


@pytest.mark.parametrize("size", [(20000, 20000), (9000, 9000), (100000, 300)])
def test_a_huge_pixel_png_is_refused_from_its_header(world, draft, private, size):
    data = png_header_only(*size)
    assert len(data) < 1000
    with pytest.raises(ServiceError) as exc:
        services.set_cover(actor=world.office, post=draft, data=data)
    assert exc.value.message.startswith("Ảnh bìa: ảnh quá lớn")
    assert _files(private) == []


def test_a_tiny_image_is_refused(world, draft):
    with pytest.raises(ServiceError, match="ảnh quá nhỏ"):
        services.set_cover(actor=world.office, post=draft, data=image_bytes(size=(100, 80)))


def test_a_refused_cover_at_creation_leaves_no_post(world, private):
    with pytest.raises(ServiceError):
        services.create_draft(
            actor=world.office,
            title="Tin",
            body=BODY,
            audience_org=world.commune,
            cover=b"MZ not an image",
        )
    assert not Post.objects.exists() and _files(private) == []


def test_replacing_a_cover_deletes_the_old_files(
    world, draft, private, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_cover(actor=world.office, post=draft, data=image_bytes())
    first = _files(private)
    assert len(first) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.set_cover(actor=world.office, post=draft, data=image_bytes(color="green"))
    second = _files(private)
    assert len(second) == 2 and not set(first) & set(second)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_cover(actor=world.office, post=draft)
    assert _files(private) == []


def test_only_the_office_sets_a_cover(world, draft, private):
    from sotay.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_cover(actor=world.secretary, post=draft, data=image_bytes())
    assert _files(private) == []
