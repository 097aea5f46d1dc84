from django import forms
from django.utils.html import escape
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sotay.core.richtext import TAGS
from sotay.news.images import MAX_BYTES
from sotay.news.models import MAX_SUMMARY, MAX_TITLE

ALLOWED_TAGS = ", ".join(f"<{t}>" for t in sorted(TAGS))


class PostForm(forms.Form):
    """The post's fields; the service sanitises and checks scope."""

    title = forms.CharField(label=_("Tiêu đề"), max_length=MAX_TITLE)
    summary = forms.CharField(
        label=_("Tóm tắt"),
        required=False,
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Văn bản thuần, hiện dưới tiêu đề trong danh sách tin."),
    )
    body = forms.CharField(
        label=_("Nội dung"),
        widget=forms.Textarea(attrs={"rows": 14}),
        # Django renders help texts as HTML: the tag names must be escaped to be read.
        help_text=escape(
            format_lazy(
                _(
                    "Được dùng các thẻ HTML: {tags}. Các thẻ khác (script, style, iframe, ảnh…), "
                    "thuộc tính sự kiện và liên kết javascript: bị loại bỏ khi lưu. "
                    "Mỗi đoạn văn đặt trong <p>…</p>."
                ),
                tags=ALLOWED_TAGS,
            )
        ),
    )
    audience_code = forms.CharField(
        label=_("Gửi tới (mã tổ chức)"),
        max_length=32,
        help_text=_("Tin hiện với đảng viên của tổ chức này và mọi tổ chức cấp dưới."),
    )
    pinned = forms.BooleanField(label=_("Ghim lên đầu danh sách tin"), required=False)


class CoverForm(forms.Form):
    cover = forms.FileField(
        label=format_lazy(
            _("Ảnh bìa (JPEG, PNG hoặc WebP, tối đa {mb} MB)"), mb=MAX_BYTES // 1024 // 1024
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class NewPostForm(PostForm):
    """Writing a post may attach its cover at once."""

    cover = forms.FileField(
        label=format_lazy("{} — {}", CoverForm.base_fields["cover"].label, _("không bắt buộc")),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Hẹn giờ đăng"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Để trống để đăng ngay. Giờ Việt Nam."),
        error_messages={
            "invalid": _("Hẹn giờ đăng: nhập ngày giờ hợp lệ, ví dụ 25/11/2026 08:00.")
        },
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do gỡ tin"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
