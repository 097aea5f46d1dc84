"""Forms of the minutes, resolution, self-score and statistics screens. They only parse
input; the rules live in minutes.py and scoring.py."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sotay.meetings.models import SCORE_CRITERIA, Meeting, ScoreConfig


class RemarkForm(forms.Form):
    speaker = forms.TypedChoiceField(label=_("Người phát biểu"), required=False, coerce=int)
    speaker_name = forms.CharField(
        label=_("hoặc họ tên khách mời phát biểu"), max_length=150, required=False
    )
    agenda_item = forms.TypedChoiceField(
        label=_("Về nội dung"), required=False, coerce=int, empty_value=None
    )
    text = forms.CharField(
        label=_("Nội dung phát biểu"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def __init__(self, *args, meeting: Meeting, roster, **kwargs):
        # The notes screen shows three forms: ids must not collide (names may).
        kwargs.setdefault("auto_id", "remark_%s")
        super().__init__(*args, **kwargs)
        self.fields["speaker"].choices = [("", _("— Khách mời —"))] + [
            (e.member_id, e.full_name) for e in roster
        ]
        self.fields["speaker"].empty_value = None
        self.fields["agenda_item"].choices = _agenda_choices(meeting)


class ConclusionForm(forms.Form):
    agenda_item = forms.TypedChoiceField(
        label=_("Về nội dung"), required=False, coerce=int, empty_value=None
    )
    text = forms.CharField(
        label=_("Nội dung kết luận"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        kwargs.setdefault("auto_id", "conclusion_%s")
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = _agenda_choices(meeting)


def _agenda_choices(meeting: Meeting):
    return [("", _("— Chung —"))] + [
        (a.pk, f"{a.position}. {a.title}") for a in meeting.agenda.all()
    ]


class GuestForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "guest_%s")
        super().__init__(*args, **kwargs)

    full_name = forms.CharField(label=_("Họ và tên khách mời"), max_length=150)
    position = forms.CharField(label=_("Chức vụ, đơn vị"), max_length=255, required=False)


class MinutesForm(forms.Form):
    body = forms.CharField(
        label=_("Nội dung biên bản"),
        widget=forms.Textarea(attrs={"rows": 24, "class": "minutes-editor"}),
        help_text=_(
            "Văn bản có định dạng (đoạn, tiêu đề, danh sách, chữ đậm); "
            "mã lệnh và định dạng khác bị loại bỏ khi lưu."
        ),
    )


class NewVersionForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do lập phiên bản mới"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResolutionForm(forms.Form):
    number = forms.IntegerField(label=_("Số nghị quyết"), min_value=1, max_value=99999)
    title = forms.CharField(label=_("Trích yếu"), max_length=500)
    body = forms.CharField(
        label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 14}), max_length=100_000
    )


class ScoreForm(forms.Form):
    note = forms.CharField(
        label=_("Nhận xét"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, config: ScoreConfig, **kwargs):
        super().__init__(*args, **kwargs)
        weights = config.weights()
        for key, label in reversed(SCORE_CRITERIA):
            field = forms.IntegerField(
                label=f"{label} (0–{weights[key]})",
                min_value=0,
                max_value=weights[key],
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields = {key: field, **self.fields}


class ScoreConfigForm(forms.Form):
    valid_from = forms.DateField(
        label=_("Áp dụng từ ngày"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    good_from = forms.IntegerField(label=_("Tốt từ (điểm)"), min_value=1, max_value=100)
    fair_from = forms.IntegerField(label=_("Khá từ (điểm)"), min_value=1, max_value=100)
    average_from = forms.IntegerField(label=_("Trung bình từ (điểm)"), min_value=1, max_value=100)
    note = forms.CharField(label=_("Căn cứ"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        weights = {
            key: forms.IntegerField(
                label=format_lazy(_("{label} (trọng số)"), label=label), min_value=0, max_value=100
            )
            for key, label in SCORE_CRITERIA
        }
        self.fields = {"valid_from": self.fields.pop("valid_from"), **weights, **self.fields}


class StatsMonthForm(forms.Form):
    thang = forms.RegexField(label=_("Tháng"), regex=r"^\d{4}-\d{2}$", required=False)
