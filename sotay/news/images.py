"""Cover images of news posts: checked from the bytes with Pillow, re-encoded.

An upload is refused unless it is really a JPEG, PNG or WebP (the file name and the
declared type are ignored), at most MAX_BYTES, and its declared canvas is within the
pixel limits — read from the header before any pixel is decoded, so a small PNG that
declares a gigantic canvas (decompression bomb) never reaches the decoder. What is stored
is a fresh JPEG, turned upright by its EXIF orientation and carrying no metadata (phones
write the GPS position there): one at most COVER_WIDTH wide and a thumbnail at most
THUMB_WIDTH wide.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from sotay.core.errors import ServiceError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 10_000
MAX_PIXELS = 40_000_000  # 40 megapixels: any phone camera, far below Pillow's bomb limit
MIN_SIDE = 200
COVER_WIDTH = 1200
THUMB_WIDTH = 480
FORMATS = ("JPEG", "PNG", "WEBP")


def refuse(message: str):
    raise ServiceError(f"Ảnh bìa: {message}", "cover")


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file, refusing a missing, empty or too large one. The
    size is checked on what is read, not only on what the client declared."""
    if not upload:
        refuse("hãy chọn một tệp ảnh.")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        mb = f"{size / 1024 / 1024:.1f}".replace(".", ",")
        refuse(f"tệp quá lớn ({mb} MB); tối đa 5 MB.")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        refuse("tệp quá lớn; tối đa 5 MB.")
    return data


def _resized(img: Image.Image, width: int) -> bytes:
    copy = img.copy()
    if copy.width > width:
        height = max(1, round(copy.height * width / copy.width))
        copy = copy.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # Only what is passed here is written: no EXIF, XMP or ICC profile.
    copy.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


def cover_jpegs(data: bytes) -> tuple[bytes, bytes]:
    """(cover, thumbnail) JPEG bytes for an uploaded image, or ServiceError naming the
    field "cover" with a Vietnamese message."""
    if not data:
        refuse("tệp rỗng.")
    if len(data) > MAX_BYTES:
        refuse("tệp quá lớn; tối đa 5 MB.")
    # Pillow raises many kinds of exceptions on malformed input (OSError, SyntaxError,
    # ValueError, struct.error, DecompressionBombError…): any means "not a usable image".
    kind, width, height = None, 0, 0
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
    except Image.DecompressionBombError:
        refuse(f"ảnh quá lớn; tối đa {MAX_PIXELS // 1_000_000} triệu điểm ảnh.")
    except Exception:
        kind = None
    if kind not in FORMATS:
        refuse(
            "tệp không phải là ảnh JPEG, PNG hoặc WebP hợp lệ (hệ thống đọc nội dung tệp, "
            "không dựa vào tên tệp)."
        )
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        refuse(
            f"ảnh quá lớn ({width}×{height} điểm ảnh); tối đa {MAX_SIDE}×{MAX_SIDE} và "
            f"{MAX_PIXELS // 1_000_000} triệu điểm ảnh."
        )
    if min(width, height) < MIN_SIDE:
        refuse(f"ảnh quá nhỏ ({width}×{height} điểm ảnh); cần ít nhất {MIN_SIDE}×{MIN_SIDE}.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            # A JPEG can be decoded at 1/2…1/8 scale directly: faster, far less memory.
            img.draft("RGB", (COVER_WIDTH * 2, COVER_WIDTH * 2))
            upright = ImageOps.exif_transpose(img)
            if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
            else:
                flat = upright.convert("RGB")
            return _resized(flat, COVER_WIDTH), _resized(flat, THUMB_WIDTH)
    except ServiceError:
        raise
    except Exception:
        refuse("không đọc được ảnh (tệp bị hỏng?).")
    raise AssertionError("unreachable")
