"""Text rules of the library: plain-text sanitising, symbol keys, the folded search text,
the secrecy mark and the headings of a long text."""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

from sotay.core.text import fold

# A symbol reads "number-kind/issuer", e.g. 52-NQ/TW, 144-QĐ/TW, 12-HD/BTCTW, 05-KH/ĐU.
SYMBOL_RE = re.compile(r"^\d{1,5}-[A-ZĐ]{1,8}/[A-ZĐ0-9]{1,12}(-[A-ZĐ0-9]{1,12})*$")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(value: str | None) -> str:
    """Store text fields as plain text: tags are dropped (script/style with their
    content), entities turned back into characters, control characters removed and the
    text normalised to NFC so the same word always reads and folds the same. The page
    escapes it again when it is shown."""
    if not value:
        return ""
    cleaned = nh3.clean(value, tags=set(), attributes={}, strip_comments=True)
    cleaned = html.unescape(cleaned).replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _CONTROL.sub("", cleaned)
    return unicodedata.normalize("NFC", cleaned).strip()


def normalize_symbol(symbol: str) -> str:
    """The symbol as it is printed: NFC, upper case, no spaces."""
    text = unicodedata.normalize("NFC", symbol or "").upper()
    return re.sub(r"\s+", "", text)


def symbol_key(text: str) -> str:
    """Letters and digits of a symbol (or of a query), folded: 52-NQ/TW, 52/NQ-TW and
    "52 nq tw" all give 52nqtw."""
    return _NON_ALNUM.sub("", fold(text or ""))


def words(text: str) -> list[str]:
    """Folded words: diacritics, đ/d, case and punctuation ignored."""
    return [w for w in _NON_ALNUM.split(fold(text or "")) if w]


def search_text(*parts: str, symbol: str = "") -> str:
    """The searchable text: every part folded to bare words, plus the symbol's compact
    key so "52nqtw" typed as one word still finds it."""
    out = []
    key = symbol_key(symbol)
    if key:
        out.append(key)
    for part in parts:
        out.extend(words(part))
    return " ".join(out)


# The classification stamp of a secret document ("Mật", "Tối mật", "Tuyệt mật", DOMAIN
# §9). A line holding only the stamp, a "Độ mật:" field, or the upper-case stamp
# anywhere; "bí mật" or "mật thiết" in running text are not marks.
_SECRET_LINE = re.compile(r"^\W*(độ\s+mật\s*[:：]?\s*)?(tuyệt\s+mật|tối\s+mật|mật)\W*$", re.I)
_SECRET_FIELD = re.compile(r"độ\s+mật\s*[:：]\s*(tuyệt\s+mật|tối\s+mật|mật)", re.I)
_SECRET_UPPER = re.compile(r"(?<![^\W\d_])(TUYỆT MẬT|TỐI MẬT|MẬT)(?![^\W\d_])")


def looks_secret(*texts: str) -> bool:
    for text in texts:
        if not text:
            continue
        text = unicodedata.normalize("NFC", text)
        if _SECRET_FIELD.search(text) or _SECRET_UPPER.search(text):
            return True
        if any(_SECRET_LINE.match(line.strip()) for line in text.splitlines() if line.strip()):
            return True
    return False


# Headings of a party document: "Chương I", "Mục 2", "Điều 5.", "Phần thứ nhất",
# "I. ...", "1. ..." at the start of a short line, or a short line in capitals.
_HEADING = re.compile(
    r"^((chương|mục|phần|điều)\s+[\wđ]+\b|[IVXLC]+\.\s|\d{1,2}\.\s)", re.I | re.UNICODE
)


def is_heading(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > 120:
        return False
    if _HEADING.match(line):
        return True
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def body_blocks(body: str) -> list[dict]:
    """The body split into paragraphs and headings; headings get an anchor id for the
    table of contents."""
    blocks = []
    n = 0
    for raw in re.split(r"\n\s*\n|\n", body or ""):
        line = raw.strip()
        if not line:
            continue
        if is_heading(line):
            n += 1
            blocks.append({"heading": True, "text": line, "id": f"muc-{n}"})
        else:
            blocks.append({"heading": False, "text": line})
    return blocks
