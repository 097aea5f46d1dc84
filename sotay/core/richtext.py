"""Rich text written by editors (news posts, handbook pages): an allowlist of tags and
attributes, kept as sanitised HTML. Anything else — scripts, event handlers, styles,
iframes, `javascript:` links — is removed before the text is stored, and again (cheaply)
never trusted on display: templates mark only the stored, sanitised value safe.
"""

from __future__ import annotations

import re
import unicodedata

import nh3

TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "ul", "ol", "li", "blockquote", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def sanitize(html: str | None) -> str:
    """The allowed subset of `html`, NFC-normalised; links get rel="noopener noreferrer
    nofollow". Returns "" for None."""
    if not html:
        return ""
    text = unicodedata.normalize("NFC", _CONTROL.sub("", html))
    return nh3.clean(
        text,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        clean_content_tags={"script", "style"},
    ).strip()


def to_text(html: str | None) -> str:
    """Plain text of sanitised HTML, for search and summaries."""
    import html as htmllib

    if not html:
        return ""
    spaced = re.sub(r"</(p|h[2-4]|li|tr|blockquote)>|<br\s*/?>", "\n", html)
    return htmllib.unescape(_TAG.sub(" ", spaced)).replace("\xa0", " ").strip()


def is_blank(html: str | None) -> bool:
    return not _SPACE.sub("", to_text(html))
