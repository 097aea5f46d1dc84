"""Forms of the learning screens: they parse input; the services check the rules."""

from django import forms

from sotay.documents.models import AudienceLevel
from sotay.learning.models import Grading, LessonKind, QuestionKind, Reveal

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.Form):
    title = forms.CharField(label="Tên chuyên đề", max_length=300)
    summary = forms.CharField(
        label="Giới thiệu", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organization_code = forms.CharField(
        label="Giao cho (mã tổ chức)",
        max_length=32,
        help_text="Cả tổ chức này và các tổ chức trực thuộc phải học.",
    )
    audience_level = forms.ChoiceField(
        label="Đối tượng học", choices=AudienceLevel.choices, initial=AudienceLevel.ALL
    )
    opens_on = forms.DateField(label="Ngày bắt đầu", widget=DATE)
    closes_on = forms.DateField(label="Hạn hoàn thành", widget=DATE)


class LessonForm(forms.Form):
    title = forms.CharField(label="Tên bài", max_length=300)
    kind = forms.ChoiceField(label="Loại bài", choices=LessonKind.choices)
    body = forms.CharField(
        label="Nội dung (bài đọc)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Được giữ các định dạng cơ bản (đoạn, tiêu đề, danh sách, đậm, nghiêng).",
    )
    file = forms.FileField(
        label="Tệp (PDF, bài nghe MP3/M4A/OGG/WAV, video MP4/WebM)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,audio/*,video/mp4,video/webm"}),
    )


class QuizForm(forms.Form):
    time_limit_minutes = forms.IntegerField(
        label="Thời gian làm bài (phút)", min_value=1, max_value=240
    )
    max_attempts = forms.IntegerField(label="Số lần làm tối đa", min_value=1, max_value=20)
    pass_mark = forms.IntegerField(label="Điểm đạt (%)", min_value=1, max_value=100)
    grading = forms.ChoiceField(label="Cách tính điểm", choices=Grading.choices)
    reveal = forms.ChoiceField(label="Công bố kết quả", choices=Reveal.choices)


class QuestionForm(forms.Form):
    category = forms.CharField(label="Nhóm câu hỏi", max_length=200)
    kind = forms.ChoiceField(label="Loại câu hỏi", choices=QuestionKind.choices)
    text = forms.CharField(label="Câu hỏi", widget=forms.Textarea(attrs={"rows": 2}))
    options = forms.CharField(
        label="Phương án (mỗi dòng một phương án; đánh dấu * ở đầu phương án đúng)",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    explanation = forms.CharField(
        label="Giải thích", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def parsed_options(self) -> list[tuple[str, bool]]:
        out = []
        for line in self.cleaned_data["options"].splitlines():
            line = line.strip()
            if line:
                out.append((line.lstrip("*").strip(), line.startswith("*")))
        return out


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Tệp câu hỏi (.xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class ReflectionForm(forms.Form):
    body = forms.CharField(
        label="Bài thu hoạch", required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    file = forms.FileField(
        label="Hoặc tải tệp lên (PDF hoặc Word DOCX)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Đánh giá",
        choices=[("accept", "Đạt"), ("revise", "Cần viết lại")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Nhận xét", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OfflineForm(forms.Form):
    studied_on = forms.DateField(label="Ngày học tại chi bộ", widget=DATE)
    paper_score = forms.CharField(
        label="Điểm bài trắc nghiệm giấy (0–100, để trống nếu không làm)",
        required=False,
        max_length=6,
    )
    note = forms.CharField(label="Ghi chú", required=False, max_length=300)


class OverrideForm(forms.Form):
    extra_minutes = forms.IntegerField(
        label="Thêm thời gian (phút)", min_value=0, max_value=240, initial=0
    )
    extra_attempts = forms.IntegerField(
        label="Thêm số lần làm", min_value=0, max_value=10, initial=0
    )
    reason = forms.CharField(label="Lý do", max_length=300)
