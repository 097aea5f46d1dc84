"""Documents for tests: written through the services, as the office would."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib

from sotay.documents import services
from sotay.documents.models import AudienceLevel, Document, DocumentKind


def make_document(world, org, *, publish: bool = True, actor=None, **fields) -> Document:
    defaults = {
        "kind": DocumentKind.RESOLUTION,
        "title": "Văn bản thử nghiệm",
        "issuer_name": "Ban Chấp hành Trung ương",
        "issued_on": dt.date(2024, 1, 15),
        "audience_org": org,
        "audience_level": AudienceLevel.ALL,
    }
    defaults.update(fields)
    actor = actor or world.admin
    document = services.create_draft(actor=actor, **defaults)
    if publish:
        document = services.publish(actor=actor, document=document)
    return document


def library_for_matrix(world) -> dict[str, Document]:
    """One document per scoping case of the permission matrix."""
    return {
        "doc_branch": make_document(world, world.branch, title="Kế hoạch sinh hoạt chi bộ"),
        "doc_committee": make_document(
            world,
            world.commune,
            title="Hướng dẫn nội bộ cấp ủy",
            audience_level=AudienceLevel.COMMITTEE,
        ),
        "doc_draft": make_document(world, world.commune, publish=False, title="Dự thảo"),
    }


def docx_bytes(*paragraphs: str) -> bytes:
    """A minimal Word document holding these paragraphs."""
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", xml)
    return out.getvalue()


def pdf_bytes(*lines: str, compress: bool = True) -> bytes:
    """A small one-page PDF whose content stream shows these lines (Latin-1 text)."""
    ops = (
        "BT /F1 12 Tf 72 720 Td "
        + " ".join(
            "({}) Tj 0 -14 Td".format(
                line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            )
            for line in lines
        )
        + " ET"
    )
    stream = ops.encode("latin-1")
    header = b"<< /Length %d >>" % len(stream)
    if compress:
        stream = zlib.compress(stream)
        header = b"<< /Length %d /Filter /FlateDecode >>" % len(stream)
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n"
        b"4 0 obj " + header + b"\nstream\n" + stream + b"\nendstream\nendobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
