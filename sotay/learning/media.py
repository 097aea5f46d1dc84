"""Lesson files: what the bytes are (audio, video, PDF), how big an upload may be, and
serving audio/video with HTTP Range requests so a phone can seek without downloading
the whole file.

PDFs are recognised by the documents library's sniffer (`documents.files.sniff`);
audio and video by their container signatures. File names are never trusted.
"""

from __future__ import annotations

import os
import re

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, StreamingHttpResponse

from sotay.documents import files as document_files

MP3, M4A, OGG, WAV = "audio/mpeg", "audio/mp4", "audio/ogg", "audio/wav"
MP4, WEBM = "video/mp4", "video/webm"
PDF = document_files.PDF
DOCX = document_files.DOCX
AUDIO_TYPES = frozenset({MP3, M4A, OGG, WAV})
VIDEO_TYPES = frozenset({MP4, WEBM})
# ISO base media brands: audio-only ones, and the generic ones phones and encoders write
# for both audio and video.
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
_VIDEO_BRANDS = {
    b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash",
    b"M4V ", b"MSNV", b"3gp4", b"3gp5", b"3gp6", b"qt  ",
}  # fmt: skip
SNIFF_BYTES = 64


def sniff_media(head: bytes) -> str | None:
    """The audio/video type of a file from its first bytes, or None.

    MP3: an ID3v2 tag or an MPEG audio frame header (sync bits, a real version and
    layer). M4A/MP4: an ISO `ftyp` box; audio-only brands are M4A, the rest MP4. OGG:
    `OggS`. WAV: a RIFF/WAVE header. WebM: an EBML header naming the webm doctype."""
    if head.startswith(b"ID3"):
        return MP3
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        version, layer = (head[1] >> 3) & 0x3, (head[1] >> 1) & 0x3
        if version != 1 and layer != 0:  # 01 is a reserved version, 00 a reserved layer
            return MP3
        return None
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AUDIO_BRANDS:
            return M4A
        if brand in _VIDEO_BRANDS:
            return MP4
        return None
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:SNIFF_BYTES]:
        return WEBM
    return None


def sniff_lesson(head: bytes, kind: str) -> str | None:
    """The content type a lesson of `kind` ("pdf", "audio", "video") accepts for these
    bytes, or None. An MP4 container with a generic brand is accepted as audio too
    (phones record M4A under "isom"/"mp42")."""
    if kind == "pdf":
        return PDF if head.startswith(b"%PDF-") else None
    found = sniff_media(head)
    if kind == "audio":
        if found == MP4:
            return M4A
        return found if found in AUDIO_TYPES else None
    if kind == "video":
        return found if found in VIDEO_TYPES else None
    return None


def limit_bytes(kind: str) -> int:
    """The largest upload accepted for a lesson kind or a reflection, from settings."""
    megabytes = {
        "audio": settings.SOTAY_LEARNING_MAX_AUDIO_MB,
        "video": settings.SOTAY_LEARNING_MAX_VIDEO_MB,
        "pdf": settings.SOTAY_LEARNING_MAX_PDF_MB,
        "reflection": settings.SOTAY_LEARNING_MAX_REFLECTION_MB,
    }[kind]
    return int(megabytes) * 1024 * 1024


def largest_upload() -> int:
    return max(limit_bytes(k) for k in ("audio", "video", "pdf", "reflection"))


# Form fields, multipart boundaries and headers around the file.
ENVELOPE = 256 * 1024


def declared_too_big(request, limit: int) -> bool:
    """True when the request announces a body larger than `limit` (plus the form's
    envelope): it is refused before a byte of it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > limit + ENVELOPE


class SizeLimitHandler(FileUploadHandler):
    """Put first in `request.upload_handlers`: stops the multipart parser as soon as a
    file would pass `limit` bytes, counting what actually arrives (a chunked body or a
    lying Content-Length), before the rest is read. `exceeded` tells the view."""

    def __init__(self, request=None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared = content_length or 0
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if getattr(self, "declared", 0) > self.limit + ENVELOPE:
            self.exceeded = True
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _stream(handle, start: int, length: int):
    try:
        handle.seek(start)
        left = length
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        handle.close()


def ranged_response(request, fieldfile, content_type: str, filename: str = ""):
    """The file, whole (200) or the one byte range asked for (206 with Content-Range);
    an unsatisfiable range answers 416. Always `Accept-Ranges: bytes`, private cache."""
    size = fieldfile.size
    handle = fieldfile.open("rb")
    start, end = 0, size - 1
    status = 200
    header = request.headers.get("Range", "").strip()
    if header:
        match = _RANGE.match(header)
        if match and (match.group(1) or match.group(2)):
            first, last = match.group(1), match.group(2)
            if first:
                start = int(first)
                end = min(int(last), size - 1) if last else size - 1
            else:  # a suffix range: the last N bytes
                start = max(size - int(last), 0)
            if start >= size or start > end:
                handle.close()
                response = HttpResponse(status=416)
                response["Content-Range"] = f"bytes */{size}"
                response["Accept-Ranges"] = "bytes"
                return response
            status = 206
        # Several ranges or a malformed header: the whole file (RFC 9110 allows it).
    length = end - start + 1
    response = StreamingHttpResponse(
        _stream(handle, start, length), status=status, content_type=content_type
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    if filename:
        safe = os.path.basename(filename).replace('"', "")
        response["Content-Disposition"] = f'inline; filename="{safe}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response
