from django import forms
from django.utils.translation import gettext_lazy as _

from sotay.members.models import EventKind, MemberStatus, Sex
from sotay.members.reference import AGE_BANDS, ETHNIC_CHOICES, PARTY_AGE_BANDS, PoliticalTheory

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
    memo_unbound = True  # its blank rendering is the same for everyone ({% unbound_form %})
    kind = forms.ChoiceField(
        label=_("Sự kiện"),
        choices=[c for c in EventKind.choices if c[0] != EventKind.RECORD_OPENED],
    )
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
    memo_unbound = True
    message = forms.CharField(
        label=_("Thông tin nào sai và cần sửa thế nào"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _band_choices(bands):
    return [("", _("Tất cả"))] + [(b.key, b.label) for b in bands]


ACTIVE_ROLL = "dang-sinh-hoat"


class MemberFilterForm(forms.Form):
    """The member list's filters. Unknown values are dropped rather than refused: a
    stale bookmark still opens the list."""

    q = forms.CharField(label=_("Họ tên (gõ có dấu hoặc không dấu) hoặc số thẻ"), max_length=100,
                        required=False)  # fmt: skip
    status = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[("", _("Tất cả")), (ACTIVE_ROLL, _("Đang sinh hoạt (dự bị, chính thức, miễn)"))]
        + MemberStatus.choices,
    )
    sex = forms.ChoiceField(label=_("Giới tính"), required=False,
                            choices=[("", _("Tất cả"))] + Sex.choices)  # fmt: skip
    age = forms.ChoiceField(label=_("Tuổi"), required=False, choices=_band_choices(AGE_BANDS))
    ethnicity = forms.ChoiceField(
        label=_("Dân tộc"), required=False, choices=[("", _("Tất cả"))] + ETHNIC_CHOICES
    )
    theory = forms.ChoiceField(
        label=_("Lý luận chính trị"),
        required=False,
        choices=[("", _("Tất cả")), ("chua", _("Chưa qua đào tạo"))]
        + [c for c in PoliticalTheory.choices if c[0]],
    )
    party_age = forms.ChoiceField(
        label=_("Tuổi Đảng"), required=False, choices=_band_choices(PARTY_AGE_BANDS)
    )

    FILTERS = ("status", "sex", "age", "ethnicity", "theory", "party_age")

    def values(self) -> dict[str, str]:
        """The valid filters, invalid ones dropped."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out = {"q": (self.data.get("q") or "").strip()[:100]}
        for name in self.FILTERS:
            if name not in self.errors and data.get(name):
                out[name] = data[name]
        return out


class PhotoForm(forms.Form):
    """Only carries the upload: records.set_photo checks the file (by content) and the
    reason, so the page and the API refuse with the same messages."""

    memo_unbound = True

    photo = forms.FileField(
        label=_("Ảnh chân dung (JPEG, PNG hoặc WebP, tối đa 2 MB)"),
        required=False,
        error_messages={"empty": _("Ảnh chân dung: tệp rỗng.")},
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    reason = forms.CharField(label=_("Lý do thay ảnh"), max_length=300, required=False)
