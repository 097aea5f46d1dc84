"""News posts and images for tests: written through the services, as the office would."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

from sotay.news import services
from sotay.news.models import Post

BODY = "<p>Nội dung tin thử nghiệm.</p>"


def make_post(world, org, *, publish: bool = True, actor=None, publish_at=None, **fields) -> Post:
    defaults = {"title": "Tin thử nghiệm", "body": BODY, "audience_org": org}
    defaults.update(fields)
    actor = actor or world.admin
    post = services.create_draft(actor=actor, **defaults)
    if publish:
        post = services.publish(actor=actor, post=post, publish_at=publish_at)
    return post


def posts_for_matrix(world) -> dict[str, Post]:
    """One post per scoping case of the permission matrix (all for C1's subtree or P)."""
    return {
        "post_province": make_post(world, world.province, title="Tin của Thành ủy"),
        "post_sibling": make_post(world, world.sibling, title="Tin của Chi bộ Khu phố 2"),
        "post_draft": make_post(world, world.commune, publish=False, title="Tin nháp"),
    }


def image_bytes(fmt: str = "JPEG", size=(1600, 900), color="steelblue", **save) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" and save.pop("alpha", False) else "RGB"
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares a `width`×`height` canvas (a decompression bomb's
    header): valid signature and IHDR, a token IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
