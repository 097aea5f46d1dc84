"""{% unbound_form %}: a blank form of a class marked `memo_unbound` is rendered once per
process and language; bound forms (typed values, errors) and other forms never are."""

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from sotay.core.templatetags import shell
from sotay.members.forms import EventForm

TEMPLATE = Template("{% load shell %}{% unbound_form form %}")


def render(form):
    return TEMPLATE.render(Context({"form": form}))


@pytest.fixture(autouse=True)
def empty_store():
    shell.clear()
    yield
    shell.clear()


def test_a_blank_form_is_rendered_once_and_reads_as_the_form_itself(monkeypatch):
    first = render(EventForm())
    assert first == str(EventForm().render())
    monkeypatch.setattr(EventForm, "render", lambda self, *a, **k: "rendered again")
    assert render(EventForm()) == first


def test_a_bound_form_shows_its_values_and_errors_every_time():
    render(EventForm())
    bound = render(EventForm({"kind": "không-có", "note": "Ghi chú riêng"}))
    assert "Ghi chú riêng" in bound and "errorlist" in bound


def test_each_language_has_its_own_rendering():
    with translation.override("vi"):
        vi = render(EventForm())
    with translation.override("en"):
        en = render(EventForm())
    assert "Sự kiện" in vi and vi != en


class PerUserForm(forms.Form):
    """Not marked: its fields may differ per request."""

    name = forms.CharField()

    def __init__(self, *args, label="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = label


def test_a_form_not_marked_is_rendered_each_time():
    assert "Tên của An" in render(PerUserForm(label="Tên của An"))
    assert "Tên của Bình" in render(PerUserForm(label="Tên của Bình"))
