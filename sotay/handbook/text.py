"""Display helpers for a page's stored (already sanitised) body."""

from __future__ import annotations

import re

from sotay.core.richtext import to_text
from sotay.documents.text import words

# The sanitiser allows no attribute on headings, so a stored h2/h3 opens as bare `<h2>`.
_HEADING = re.compile(r"<(h[23])>(.*?)</\1>", re.S)


def with_anchors(body: str) -> tuple[str, list[dict]]:
    """The body with an id on each h2/h3, and the table of contents: a list of
    {"id", "text", "level"} in order. Ids are folded words of the heading ("muc-..."),
    numbered when two headings read the same."""
    toc: list[dict] = []
    seen: set[str] = set()

    def anchor(match: re.Match) -> str:
        tag, inner = match.group(1), match.group(2)
        text = " ".join(to_text(inner).split())
        base = "muc-" + ("-".join(words(text))[:60].strip("-") or str(len(toc) + 1))
        anchor_id, n = base, 1
        while anchor_id in seen:
            n += 1
            anchor_id = f"{base}-{n}"
        seen.add(anchor_id)
        toc.append({"id": anchor_id, "text": text, "level": int(tag[1])})
        return f'<{tag} id="{anchor_id}">{inner}</{tag}>'

    return _HEADING.sub(anchor, body or ""), toc
