from django import forms
from django.utils.translation import gettext_lazy as _

from sotay.accounts.models import Role


class _ConfirmedPassword:
    """Adds a check that the password and its repetition match."""

    password_fields = ("password", "password2")

    def clean(self):
        data = super().clean()
        first, second = self.password_fields
        if data.get(first) and data.get(first) != data.get(second):
            self.add_error(second, _("Hai mật khẩu không giống nhau."))
        return data


class SignInForm(forms.Form):
    identifier = forms.CharField(
        label=_("Số điện thoại hoặc số thẻ đảng viên"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "inputmode": "text", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực 6 số"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class RegistrationForm(_ConfirmedPassword, forms.Form):
    card_number = forms.CharField(label=_("Số thẻ đảng viên"), max_length=20)
    cccd = forms.CharField(
        label=_("Số CCCD (12 số)"),
        max_length=14,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    birth_date = forms.DateField(
        label=_("Ngày sinh (ngày/tháng/năm)"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        error_messages={"invalid": _("Ngày sinh phải theo dạng ngày/tháng/năm, ví dụ 02/09/1965.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại"), max_length=15, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    password = forms.CharField(
        label=_("Mật khẩu (ít nhất 8 ký tự)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class RedeemCodeForm(_ConfirmedPassword, forms.Form):
    password_fields = ("new_password", "new_password2")

    identifier = forms.CharField(label=_("Số điện thoại hoặc số thẻ đảng viên"), max_length=40)
    code = forms.CharField(
        label=_("Mã do bí thư chi bộ cấp"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )
    new_password = forms.CharField(
        label=_("Mật khẩu mới (ít nhất 8 ký tự)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class ChangePasswordForm(_ConfirmedPassword, forms.Form):
    password_fields = ("new_password", "new_password2")

    old_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("Mật khẩu mới"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Lý do từ chối"), max_length=300, widget=forms.TextInput())


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Tên thiết bị"), max_length=100, required=False)


class GrantRoleForm(forms.Form):
    identifier = forms.CharField(
        label=_("Số điện thoại hoặc số thẻ của người được cấp"), max_length=40
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
