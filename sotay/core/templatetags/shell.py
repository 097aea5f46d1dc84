"""`{% memo "name" var … %}…{% endmemo %}`: render a block once per process and per
value of the listed variables (and the active language), then reuse the text.

For the parts of the page shell that depend only on configuration — static file links
(hashed names), reversed URLs, translated labels — which every page rendered again:
on the home page they were a third of its rendering time. Never put user data, the
CSRF token or anything from the database inside a memo block; whatever varies must be
listed as a variable. The store is bounded; a deploy restarts the processes.
"""

import threading

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

MAX_ENTRIES = 2_000
_store: dict[tuple, str] = {}
_lock = threading.Lock()


class MemoNode(template.Node):
    def __init__(self, nodelist, name: str, vary):
        self.nodelist = nodelist
        self.name = name
        self.vary = vary

    def render(self, context):
        key = (self.name, get_language(), *(v.resolve(context) for v in self.vary))
        return _remembered(key, lambda: self.nodelist.render(context))


def _remembered(key: tuple, render) -> str:
    """The text stored under `key`, rendered and stored the first time (while the store
    has room)."""
    text = _store.get(key)
    if text is None:
        text = str(render())
        with _lock:
            if len(_store) < MAX_ENTRIES:
                _store[key] = text
    return mark_safe(text)  # noqa: S308 - rendered template output


@register.tag
def memo(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError('memo needs a name: {% memo "name" var … %}')
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return MemoNode(nodelist, name, [parser.compile_filter(b) for b in bits[2:]])


def clear() -> None:
    """Tests: forget every memo (e.g. after switching static storage)."""
    with _lock:
        _store.clear()


@register.simple_tag
def unbound_form(form):
    """`{% unbound_form form %}`: the form's fields as HTML. A blank form whose class says
    its blank rendering depends on nothing but the class and the language
    (`memo_unbound = True`: fixed choices, no initial values, no per-user fields) is
    rendered once per process and language; a bound form (errors, typed values) always
    renders afresh. A long choice list made the member page's event form cost ~9 ms."""
    if form.is_bound or form.initial or not getattr(form, "memo_unbound", False):
        return form.render()
    cls = type(form)
    key = ("unbound-form", get_language(), cls.__module__, cls.__qualname__, form.prefix,
           form.auto_id)  # fmt: skip
    return _remembered(key, form.render)
