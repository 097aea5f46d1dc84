from django import forms
from django.utils.translation import gettext_lazy as _

from sotay.documents.models import AudienceLevel, DocumentKind, LinkRelation

CENTRAL_BODIES = ("Ban Chấp hành Trung ương", "Bộ Chính trị", "Ban Bí thư")


class DocumentForm(forms.Form):
    """The draft's fields; the service checks scope, secrecy and formats."""

    kind = forms.ChoiceField(label=_("Loại văn bản"), choices=DocumentKind.choices)
    symbol = forms.CharField(
        label=_("Số hiệu"),
        required=False,
        max_length=50,
        help_text=_("Ví dụ 52-NQ/TW. Để trống nếu văn bản không có số."),
    )
    title = forms.CharField(label=_("Tiêu đề"), max_length=500)
    summary = forms.CharField(
        label=_("Trích yếu"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    issuer_code = forms.CharField(
        label=_("Cấp ủy ban hành (mã tổ chức)"),
        required=False,
        max_length=32,
        help_text=_("Để trống nếu cơ quan ban hành là cơ quan Trung ương."),
    )
    issuer_name = forms.CharField(
        label=_("Cơ quan ban hành (Trung ương)"),
        required=False,
        max_length=255,
        help_text=_("Ví dụ: Bộ Chính trị, Ban Bí thư, Ban Chấp hành Trung ương."),
    )
    issued_on = forms.DateField(
        label=_("Ngày ban hành"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_on = forms.DateField(
        label=_("Ngày hiệu lực"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    body = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Văn bản thuần; dòng tiêu đề (Chương, Điều, I., 1.) tạo mục lục."),
    )
    tags = forms.CharField(
        label=_("Từ khóa"), required=False, max_length=255, help_text=_("Cách nhau bởi dấu phẩy.")
    )
    audience_code = forms.CharField(label=_("Gửi tới (mã tổ chức)"), max_length=32)
    audience_level = forms.ChoiceField(
        label=_("Đối tượng đọc"), choices=AudienceLevel.choices, initial=AudienceLevel.ALL
    )
    secret = forms.BooleanField(
        label=_("Văn bản có độ mật (Mật, Tối mật, Tuyệt mật)"),
        required=False,
        help_text=_("Tài liệu mật không được đưa lên hệ thống này."),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp đính kèm (PDF hoặc DOCX, tối đa 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class LinkForm(forms.Form):
    relation = forms.ChoiceField(label=_("Quan hệ"), choices=LinkRelation.choices)
    target_symbol = forms.CharField(label=_("Số hiệu văn bản liên quan"), max_length=50)


class RequireForm(forms.Form):
    """Require a subtree to read a published document by a date."""

    organization_code = forms.CharField(
        label=_("Tổ chức phải đọc (mã tổ chức)"),
        max_length=32,
        help_text=_("Cả tổ chức này và các tổ chức trực thuộc phải đọc."),
        widget=forms.TextInput(attrs={"list": "require-orgs", "autocomplete": "off"}),
    )
    due_on = forms.DateField(
        label=_("Hạn đọc"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Hạn đọc: hãy chọn ngày."),
            "invalid": _("Hạn đọc: ngày không hợp lệ (dd/mm/yyyy)."),
        },
    )
