"""Forms of the meeting screens. They only parse input; the services check the rules."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sotay.meetings.models import Ballot, MeetingKind, MotionKind
from sotay.meetings.planning import summoned_members
from sotay.members.models import ACTIVE_STATUSES, Member

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class MeetingForm(forms.Form):
    """Schedule or edit a meeting: a day, a start and an end time (local time)."""

    kind = forms.ChoiceField(label=_("Loại cuộc họp"), choices=MeetingKind.choices)
    with_thematic = forms.BooleanField(
        label=_("Thường kỳ kết hợp sinh hoạt chuyên đề (cần ít nhất 120 phút)"), required=False
    )
    topic = forms.CharField(label=_("Chủ đề"), max_length=500)
    day = forms.DateField(
        label=_("Ngày họp"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Hãy chọn ngày họp."), "invalid": _("Ngày không hợp lệ.")},
    )
    start = forms.TimeField(
        label=_("Giờ bắt đầu"),
        widget=TIME_WIDGET,
        error_messages={"required": _("Hãy nhập giờ bắt đầu."), "invalid": _("Giờ không hợp lệ.")},
    )
    end = forms.TimeField(
        label=_("Giờ kết thúc"),
        widget=TIME_WIDGET,
        error_messages={"required": _("Hãy nhập giờ kết thúc."), "invalid": _("Giờ không hợp lệ.")},
    )
    place = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    online_link = forms.CharField(
        label=_("Đường dẫn họp trực tuyến"), max_length=500, required=False
    )
    chair = MemberChoice(label=_("Chủ trì"), queryset=Member.objects.none(), required=False)
    secretary = MemberChoice(
        label=_("Thư ký cuộc họp"), queryset=Member.objects.none(), required=False
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = members if members is not None else Member.objects.none()
        self.fields["chair"].queryset = qs
        self.fields["secretary"].queryset = qs

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        data = self.cleaned_data
        return (
            dt.datetime.combine(data["day"], data["start"], tzinfo=tz),
            dt.datetime.combine(data["day"], data["end"], tzinfo=tz),
        )


def meeting_members(meeting_or_org):
    """The people a chair, a meeting secretary or a presenter may be chosen from."""
    from sotay.meetings.models import Meeting

    if isinstance(meeting_or_org, Meeting):
        return summoned_members(meeting_or_org).order_by("name_sort", "pk")
    org = meeting_or_org
    return Member.objects.filter(
        Q(organization=org) | Q(temp_organization=org), status__in=ACTIVE_STATUSES
    ).order_by("name_sort", "pk")


class AgendaForm(forms.Form):
    title = forms.CharField(label=_("Nội dung"), max_length=500)
    presenter = MemberChoice(
        label=_("Người trình bày"), queryset=Member.objects.none(), required=False
    )
    presenter_name = forms.CharField(
        label=_("hoặc tên khách mời trình bày"), max_length=150, required=False
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["presenter"].queryset = members


class MaterialDocumentForm(forms.Form):
    document = forms.IntegerField(
        label=_("Mã văn bản trong thư viện"),
        min_value=1,
        help_text=_("Số ở cuối đường dẫn của văn bản, ví dụ /van-ban/123/ → 123."),
    )
    title = forms.CharField(
        label=_("Tên hiển thị (không bắt buộc)"), max_length=300, required=False
    )


class MaterialFileForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp tài liệu (PDF hoặc DOCX, tối đa 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )
    title = forms.CharField(
        label=_("Tên tài liệu (không bắt buộc)"), max_length=300, required=False
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Góp ý dự thảo"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PatternForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại cuộc họp"), choices=MeetingKind.choices)
    day_of_month = forms.IntegerField(label=_("Ngày trong tháng"), min_value=1, max_value=31)
    start_time = forms.TimeField(label=_("Giờ bắt đầu"), widget=TIME_WIDGET)
    duration_minutes = forms.IntegerField(
        label=_("Thời lượng (phút)"), min_value=30, max_value=600, initial=120
    )
    topic = forms.CharField(label=_("Chủ đề mẫu"), max_length=300)
    place = forms.CharField(label=_("Địa điểm"), max_length=255, required=False)
    online_link = forms.CharField(
        label=_("Đường dẫn họp trực tuyến"), max_length=500, required=False
    )
    months = forms.IntegerField(
        label=_("Lập dự thảo cho số tháng tới"), min_value=1, max_value=12, initial=3
    )


class MotionForm(forms.Form):
    title = forms.CharField(label=_("Nội dung biểu quyết"), max_length=500)
    kind = forms.ChoiceField(label=_("Loại"), choices=MotionKind.choices)
    ballot = forms.ChoiceField(label=_("Hình thức"), choices=Ballot.choices)
    candidates = forms.CharField(
        label=_("Danh sách ứng cử (mỗi dòng một người; chỉ cho biểu quyết nhân sự)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    max_choices = forms.IntegerField(
        label=_("Số người được chọn tối đa"), min_value=1, max_value=50, initial=1
    )

    def options(self) -> list[str] | None:
        lines = [line.strip() for line in self.cleaned_data["candidates"].splitlines()]
        return [line for line in lines if line] or None


class MarkForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("present", "present"), ("late", "late"), ("absent", "absent")]
    )
    reason = forms.CharField(max_length=300, required=False)
