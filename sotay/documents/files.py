"""Attachment checks and text extraction, without third-party parsers (no new
dependencies): the type is sniffed from the bytes, DOCX text comes from
word/document.xml, PDF text from its literal strings in uncompressed or Flate streams.
Anything unreadable yields no text, never an exception."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from xml.etree import ElementTree

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Extracted text is for search; a cap keeps a huge file from filling the row.
MAX_TEXT = 500_000
# A 20 MB upload can inflate enormously (zip/Flate bombs): never inflate past this.
MAX_INFLATED = 50 * 1024 * 1024

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def sniff(data: bytes) -> str | None:
    """PDF, DOCX or None, from the content alone (the file name is not trusted)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return DOCX
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
    return None


def extract_text(data: bytes, content_type: str) -> str:
    try:
        if content_type == DOCX:
            return _docx_text(data)[:MAX_TEXT]
        if content_type == PDF:
            return _pdf_text(data)[:MAX_TEXT]
    except Exception:  # noqa: BLE001 - a broken file is flagged, never a 500
        return ""
    return ""


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("word/document.xml")
        if info.file_size > MAX_INFLATED:
            return ""
        with zf.open(info) as handle:
            xml = handle.read(MAX_INFLATED + 1)
    if len(xml) > MAX_INFLATED or b"<!DOCTYPE" in xml[:2000] or b"<!ENTITY" in xml:
        return ""  # entity expansion tricks have no place in a Word document
    root = ElementTree.fromstring(xml)  # noqa: S314 - DTD/entities refused above
    paragraphs = []
    for p in root.iter(f"{_W}p"):
        parts = []
        for node in p.iter():
            if node.tag == f"{_W}t" and node.text:
                parts.append(node.text)
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
        paragraphs.append("".join(parts))
    return "\n".join(p for p in paragraphs if p.strip())


_STREAM = re.compile(rb"<<(.{0,2000}?)>>\s*stream\r?\n(.*?)\r?\n?endstream", re.S)
_TEXT_OBJ = re.compile(rb"BT(.*?)ET", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf_text(data: bytes) -> str:
    chunks: list[str] = []
    budget = MAX_INFLATED
    for match in _STREAM.finditer(data):
        header, raw = match.group(1), match.group(2)
        if b"/FlateDecode" in header:
            try:
                inflater = zlib.decompressobj()
                raw = inflater.decompress(raw, budget)
            except zlib.error:
                continue
        elif b"/Filter" in header:
            continue  # other filters (DCT images, LZW, …) hold no readable text here
        budget -= len(raw)
        if budget <= 0:
            break
        for text_obj in _TEXT_OBJ.finditer(raw):
            line = _text_of(text_obj.group(1))
            if line.strip():
                chunks.append(line)
    return "\n".join(chunks)


_TOKEN = re.compile(rb"\((?:\\.|[^\\()])*\)|\bT[dD*](?![A-Za-z])|'", re.S)


def _text_of(ops: bytes) -> str:
    """The literal strings of a text object; a move to the next line (Td, TD, T*, ')
    becomes a line break so words of two lines do not run together."""
    out = []
    for token in _TOKEN.finditer(ops):
        raw = token.group(0)
        if raw.startswith(b"("):
            out.append(_decode(_unescape(raw[1:-1])))
        elif out and not out[-1].endswith("\n"):
            out.append("\n")
    return "".join(out)


def _unescape(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i : i + 1]
        if c == b"\\" and i + 1 < len(raw):
            nxt = raw[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                i += 2
                continue
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
                continue
            if nxt in (b"\n", b"\r"):
                i += 2
                continue
            out += nxt
            i += 2
            continue
        out += c
        i += 1
    return bytes(out)


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "ignore")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
