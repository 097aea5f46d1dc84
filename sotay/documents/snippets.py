"""Highlighted titles and snippets of search results (issue 4 §4).

Matching follows the search: diacritics, case and đ/Đ are ignored and words are runs of
letters and digits; a word matches a query word when they fold to the same, the last
query word also when it starts the text's word (it may still be being typed).
A run of words whose letters and digits together spell the query's compact symbol key
("52nqtw", "52/NQ-TW") is marked as one span, so a symbol typed any way marks the
printed symbol. The regular expression runs on the original, accented text (each folded
letter stands for every character that folds to it), so no folded copy of a long body is
built and the marks land where the words are. The original text is escaped and only
<mark> is added: the output is safe HTML.

Built in Python on the ≤ 20 rows of a page; the bodies and attachment texts are read
only up to HEAD characters (cut in SQL), never whole.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.db.models.functions import Substr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sotay.core.text import fold

WIDTH = 160  # characters of a snippet
BEFORE = 50  # characters of context kept before the first match
HEAD = 20_000  # characters of a body or attachment text read for a snippet
_WORD = re.compile(r"[0-9a-z]+")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _letters() -> dict[str, str]:
    """For each folded letter or digit, every character that folds to it: "d" → "dDđĐ",
    "a" → "aAàÀáÁ…ậẬ" (the Latin blocks, Vietnamese included)."""
    out: dict[str, list[str]] = {c: [c] for c in "0123456789abcdefghijklmnopqrstuvwxyz"}
    for cp in [*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        folded = fold(chr(cp))
        if len(folded) == 1 and folded in out:
            out[folded].append(chr(cp))
    return {c: "".join(chars) for c, chars in out.items()}


def _class(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in chars) + "]"


@lru_cache(maxsize=1)
def _word_char() -> str:
    return _class("".join(_letters().values()))


def _literal(term: str) -> str:
    """A regular expression matching `term` (folded) in any accented or upper-case form."""
    letters = _letters()
    return "".join(_class(letters[c]) if c in letters else re.escape(c) for c in term)


@dataclass(frozen=True)
class Query:
    """The folded words of a query, as the search parses them, and its symbol key."""

    terms: tuple[str, ...]
    key: str

    @classmethod
    def parse(cls, text: str) -> Query:
        from sotay.documents.queries import parse_query

        terms, key = parse_query(text)
        return cls(tuple(terms), key)

    @property
    def pattern(self) -> re.Pattern | None:
        return _pattern(self.terms, self.key)


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...], key: str) -> re.Pattern | None:
    """Matches on the original (NFC) text directly: each folded letter stands for the
    class of the characters folding to it, so no folded copy of a long text is built."""
    word = _word_char()
    parts = []
    # The symbol first: at one position the alternation takes the first that matches,
    # and the symbol span is the longest.
    if key and len(key) >= 3 and any(c.isdigit() for c in key):
        sep = "[^" + word[1:-1] + "]{0,3}"
        parts.append(sep.join(_literal(c) for c in key))
    if terms:
        *whole, last = terms
        for term in sorted(set(whole), key=len, reverse=True):
            parts.append(_literal(term))
        parts.append(_literal(last) + word + "*")
    if not parts:
        return None
    return re.compile(f"(?<!{word})(?:" + "|".join(parts) + f")(?!{word})")


def _spans(text: str, query: Query, start: int = 0, end: int | None = None):
    pattern = query.pattern
    if pattern is None:
        return []
    return [m.span() for m in pattern.finditer(text, start, len(text) if end is None else end)]


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out = []
    pos = start
    for a, b in spans:
        a, b = max(a, start), min(b, end)
        if a >= b:
            continue
        out.append(escape(text[pos:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(escape(text[pos:end]))
    return _SPACE.sub(" ", "".join(out))


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def highlight(text: str | None, query: Query) -> SafeString:
    """The whole of `text`, escaped, with every match in <mark>."""
    text = _nfc(text)
    return mark_safe(_render(text, _spans(text, query), 0, len(text)).strip())  # noqa: S308 - escaped in _render


def _window(text: str, at: int, width: int) -> tuple[int, int]:
    """About `width` characters around position `at`, cut at white space."""
    start = max(0, at - BEFORE)
    if start > 0:
        space = _SPACE.search(text, start, at)
        start = space.end() if space else start
    end = min(len(text), start + width)
    if end < len(text):
        spaces = [m.start() for m in _SPACE.finditer(text, at + 1, end)]
        end = spaces[-1] if spaces else end
    return start, end


def snippet(query: Query, *texts: str | None, width: int = WIDTH) -> SafeString:
    """A short extract of the first of `texts` holding a match, around its first match,
    matches marked; with no match anywhere, the start of the first non-empty text."""
    candidates = [_nfc(t) for t in texts if t and not t.isspace()]
    if not candidates:
        return mark_safe("")
    pattern = query.pattern
    for text in candidates:
        first = pattern.search(text) if pattern is not None else None
        if first is None:
            continue
        start, end = _window(text, first.start(), width)
        html = _render(text, _spans(text, query, start, end), start, end).strip()
        return mark_safe(("… " if start > 0 else "") + html + (" …" if end < len(text) else ""))  # noqa: S308 - escaped in _render
    text = candidates[0].lstrip()
    start, end = _window(text, 0, width)
    html = _SPACE.sub(" ", escape(text[start:end])).strip()
    return mark_safe(html + (" …" if text[end:].strip() else ""))  # noqa: S308 - escaped


def annotate_results(documents: list, text: str) -> list:
    """Give each document of a result page `hl_title`, `hl_symbol` and `hl_snippet`
    (safe HTML). Two queries at most, whatever the page size: the heads of the bodies,
    then the heads of the attachment texts of the documents whose summary and body head
    hold no match."""
    from sotay.documents.models import Attachment, Document

    if not documents:
        return documents
    query = Query.parse(text)
    pks = [d.pk for d in documents]
    heads = dict(
        Document.objects.filter(pk__in=pks)
        .annotate(head=Substr("body", 1, HEAD))
        .values_list("pk", "head")
    )
    pattern = query.pattern
    missing = [
        d.pk
        for d in documents
        if pattern is None
        or not any(t and pattern.search(_nfc(t)) for t in (d.summary, heads.get(d.pk)))
    ]
    attached: dict[int, list[str]] = {}
    if missing:
        rows = (
            Attachment.objects.filter(document_id__in=missing)
            .annotate(head=Substr("text", 1, HEAD))
            .order_by("document_id", "pk")
            .values_list("document_id", "head")
        )
        for pk, head in rows:
            attached.setdefault(pk, []).append(head)
    for d in documents:
        d.hl_title = highlight(d.title, query)
        d.hl_symbol = highlight(d.symbol, query)
        d.hl_snippet = snippet(query, d.summary, heads.get(d.pk), *attached.get(d.pk, []))
    return documents
