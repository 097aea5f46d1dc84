from django import forms
from django.utils.translation import gettext_lazy as _

from sotay.organizations.models import OrgType, Position


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Tên mới"), max_length=255)


class ChildForm(forms.Form):
    code = forms.CharField(label=_("Mã tổ chức"), max_length=32)
    name = forms.CharField(label=_("Tên"), max_length=255)
    org_type = forms.ChoiceField(label=_("Loại"), choices=OrgType.choices)


class TargetForm(forms.Form):
    target_code = forms.CharField(label=_("Mã tổ chức đích"), max_length=32)


class TermForm(forms.Form):
    name = forms.CharField(label=_("Tên nhiệm kỳ"), max_length=100, required=False)
    starts_on = forms.DateField(
        label=_("Bắt đầu (dd/mm/yyyy)"), input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )
    ends_on = forms.DateField(
        label=_("Kết thúc (dd/mm/yyyy)"), input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )


class SeatForm(forms.Form):
    card_number = forms.CharField(label=_("Số thẻ đảng viên"), max_length=20)
    position = forms.ChoiceField(label=_("Chức vụ"), choices=Position.choices)
