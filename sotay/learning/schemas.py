"""API shapes of study programmes. No schema of a question before submission carries
which options are right: `OptionOut` has an id and a text only."""

import datetime as dt
from decimal import Decimal

from ninja import Schema


class ProgrammeRow(Schema):
    id: int
    title: str
    organization: str
    audience_level: str
    opens_on: dt.date
    closes_on: dt.date
    state: str
    assigned: bool
    standing: str


class LessonRow(Schema):
    id: int
    position: int
    title: str
    kind: str
    opened: bool
    finished: bool
    position_seconds: float
    file_url: str | None


class QuizOut(Schema):
    question_count: int
    time_limit_minutes: int
    max_attempts: int
    attempts_left: int
    pass_mark: int
    grading: str
    reveal: str


class AttemptRow(Schema):
    id: int
    number: int
    started_at: dt.datetime
    deadline: dt.datetime
    submitted_at: dt.datetime | None
    closed_late: bool
    score: Decimal | None


class StandingOut(Schema):
    status: str
    lessons_done: int
    quiz_score: Decimal | None
    quiz_passed: bool
    reflection_accepted: bool
    paper: bool


class ReflectionOut(Schema):
    state: str
    comment: str
    submitted_at: dt.datetime
    has_file: bool


class ProgrammeDetail(Schema):
    id: int
    title: str
    summary: str
    organization: str
    audience_level: str
    opens_on: dt.date
    closes_on: dt.date
    state: str
    assigned: bool
    lessons: list[LessonRow]
    quiz: QuizOut | None
    attempts: list[AttemptRow]
    standing: StandingOut | None
    reflection: ReflectionOut | None
    document_ids: list[int]


class LessonDetail(Schema):
    id: int
    title: str
    kind: str
    body_html: str
    file_url: str | None
    content_type: str
    size: int
    position_seconds: float
    finished: bool


class PositionIn(Schema):
    position: float
    finished: bool = False


class PositionOut(Schema):
    position: float
    finished: bool


class OptionOut(Schema):
    id: int
    text: str


class AttemptQuestionOut(Schema):
    position: int
    question_id: int
    kind: str
    text: str
    options: list[OptionOut]
    selected: list[int]


class RevealedOption(Schema):
    id: int
    text: str
    correct: bool


class RevealedQuestion(Schema):
    position: int
    question_id: int
    text: str
    options: list[RevealedOption]
    selected: list[int]
    credit: Decimal | None
    explanation: str


class AttemptOut(Schema):
    id: int
    programme_id: int
    number: int
    deadline: dt.datetime
    seconds_left: int
    submitted_at: dt.datetime | None
    closed_late: bool
    score: Decimal | None
    passed: bool | None
    questions: list[AttemptQuestionOut]
    answers: list[RevealedQuestion] | None


class AnswerIn(Schema):
    options: list[int]


class SubmitIn(Schema):
    answers: dict[str, list[int]] = {}


class ReflectionIn(Schema):
    body: str


class ReviewIn(Schema):
    accepted: bool
    comment: str = ""


class OfflineIn(Schema):
    studied_on: dt.date
    paper_score: Decimal | None = None
    note: str = ""


class OverrideIn(Schema):
    extra_minutes: int = 0
    extra_attempts: int = 0
    reason: str


class ProgrammeIn(Schema):
    organization_id: int
    title: str
    summary: str = ""
    audience_level: str = "all"
    opens_on: dt.date
    closes_on: dt.date


class TextLessonIn(Schema):
    title: str
    body_html: str


class QuestionIn(Schema):
    category: str
    kind: str
    text: str
    options: list[str]
    correct: list[int]  # indexes into `options`
    explanation: str = ""


class QuizIn(Schema):
    time_limit_minutes: int
    max_attempts: int
    pass_mark: int
    grading: str = "highest"
    reveal: str = "score"
    quotas: dict[str, int] | None = None  # category name → questions per attempt


class Created(Schema):
    id: int


class ReportRowOut(Schema):
    organization_id: int
    organization: str
    assigned: int
    started: int
    completed: int
    passed: int
    average: Decimal | None
    reflections_accepted: int
    paper: int


class MemberRowOut(Schema):
    member_id: int
    full_name: str
    status: str
    lessons_done: int
    score: Decimal | None
    passed: bool
    paper: bool
    reflection: str | None
    overdue: bool


class BandOut(Schema):
    label: str
    count: int


class ReportOut(Schema):
    programme_id: int
    total: ReportRowOut
    children: list[ReportRowOut]
    distribution: list[BandOut]
    members: list[MemberRowOut] | None
    counted_at: dt.datetime


class ImportProblemOut(Schema):
    row: int
    column: str
    message: str


class QuestionImportOut(Schema):
    applied: bool
    rows: int
    questions: int
    problems: list[ImportProblemOut]
