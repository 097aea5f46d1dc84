from django import forms
from django.utils.translation import gettext_lazy as _

from sotay.handbook.services import LIMITS

# Django prints help_text unescaped: no angle brackets here.
BODY_HELP = _(
    "Viết bằng các thẻ HTML đơn giản: h2, h3 (tạo mục lục), p, ul, ol, li, strong, em, a, "
    "table. Mã lệnh, kiểu chữ và các thuộc tính khác bị loại bỏ khi lưu."
)


class PageForm(forms.Form):
    """The page's text; the service sanitises and checks it."""

    title = forms.CharField(label=_("Tiêu đề"), max_length=LIMITS["title"])
    slug = forms.CharField(
        label=_("Đường dẫn"),
        required=False,
        max_length=LIMITS["slug"],
        help_text=_("Để trống để tạo từ tiêu đề, ví dụ ket-nap-dang-vien."),
    )
    summary = forms.CharField(
        label=_("Tóm tắt"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    body = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=BODY_HELP,
    )
    sources = forms.CharField(
        label=_("Căn cứ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Văn bản làm căn cứ, ví dụ Hướng dẫn 42-HD/BTCTW."),
    )


class NewPageForm(PageForm):
    published = forms.BooleanField(label=_("Đăng ngay (bỏ chọn để lưu bản nháp)"), required=False)


class MoveForm(forms.Form):
    parent = forms.TypedChoiceField(label="Trang cha", coerce=int, empty_value=0, required=False)
    position = forms.IntegerField(
        label=_("Vị trí trong các trang cùng cấp"),
        required=False,
        min_value=1,
        help_text=_("1 là đầu tiên; để trống để xếp cuối."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [(0, _("(Cấp cao nhất)")), *choices]
