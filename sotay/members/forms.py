from django import forms
from django.utils.translation import gettext_lazy as _

from sotay.members.models import EventKind

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_ERROR = {"invalid": _("Ngày phải theo dạng ngày/tháng/năm, ví dụ 02/09/2025.")}


def _date(label, required=False):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        error_messages=DATE_ERROR,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
    )


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Sự kiện"), choices=EventKind.choices)
    effective_on = _date(_("Ngày hiệu lực (bỏ trống: hôm nay)"))
    decided_on = _date(_("Ngày quyết định"))
    deciding_body = forms.CharField(label=_("Cơ quan quyết định"), max_length=200, required=False)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=50, required=False)
    organization_code = forms.CharField(
        label=_("Mã chi bộ nhận (khi chuyển sinh hoạt)"), max_length=32, required=False
    )
    until = _date(_("Sinh hoạt tạm thời đến ngày"))
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)


class CorrectionForm(forms.Form):
    message = forms.CharField(
        label=_("Thông tin nào sai và cần sửa thế nào"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
