"""The documents, news, handbook and meetings screens in both languages (DESIGN rule 9).

A user who picks English with the language form sees the screens' labels, messages and
form labels in English; without choosing, the same screens stay Vietnamese. User data
(titles, names of organisations and people) is never translated. Needs the compiled
catalogue (`make messages`, run by `make setup` and CI).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from sotay.documents.testing import make_document
from sotay.handbook.testing import make_page
from sotay.meetings.testing import meetings_for_matrix
from sotay.news.testing import make_post

VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.IGNORECASE
)
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"


class _MainText(HTMLParser):
    """Text and labelled attributes inside <main>: what a reader sees or hears."""

    ATTRS = ("aria-label", "placeholder", "alt", "title", "data-start", "data-stop")

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth = 1
            return
        if self.depth:
            self.depth += 1
            self.texts += [v for k, v in attrs if k in self.ATTRS and v]

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and data.strip():
            self.texts.append(data.strip())


def _leftover_vietnamese(html: str, data: list[str]) -> list[str]:
    """Vietnamese words left in <main> once the user data on the page is removed."""
    parser = _MainText()
    parser.feed(html)
    left = []
    for text in parser.texts:
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, "")
        if VIETNAMESE.search(text):
            left.append(text)
    return left


@pytest.fixture
def screens(world):
    document = make_document(
        world, world.branch, symbol="12-NQ/CB", title="Nghị quyết về xây dựng chi bộ"
    )
    post = make_post(
        world, world.branch, title="Chi bộ ra quân dọn vệ sinh", body="<p>Cả chi bộ cùng làm.</p>"
    )
    page = make_page(
        world,
        "Ghi biên bản",
        body="<h2>Số đảng viên</h2><p>Ghi đủ số.</p><h2>Biểu quyết</h2><p>Ghi kết quả.</p>",
    )
    make_page(world, "Biểu quyết", parent=page)
    meetings = meetings_for_matrix(world)
    return {"document": document, "post": post, "page": page, **meetings}


def _data(world, screens) -> list[str]:
    """Values typed by users, shown as they are in every language."""
    values = [
        screens["document"].title,
        screens["document"].issuer_label,
        screens["post"].title,
        "Cả chi bộ cùng làm.",
        screens["post"].body,
        screens["page"].title,
        "Biểu quyết",
        "Số đảng viên",
        "Ghi đủ số.",
        "Ghi kết quả.",
        screens["meeting_announced"].topic,
        screens["meeting_announced"].place,
        screens["meeting_draft"].topic,
        # the names of the central bodies are proper names (the issuer filter's values)
        "Ban Chấp hành Trung ương",
        "Bộ Chính trị",
        "Ban Bí thư",
    ]
    for org in (world.province, world.commune, world.branch):
        values.append(org.name)
    from sotay.members.models import Member

    values += list(Member.objects.values_list("full_name", flat=True))
    return values


def _english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def _pages(screens):
    return {
        "library": reverse("documents:library"),
        "document": reverse("documents:detail", args=[screens["document"].pk]),
        "bookmarks": reverse("documents:bookmarks"),
        "news": reverse("news:list"),
        "post": reverse("news:detail", args=[screens["post"].pk]),
        "handbook": reverse("handbook:index"),
        "handbook_page": reverse("handbook:detail", args=[screens["page"].slug]),
        "handbook_search": reverse("handbook:index") + "?q=bien",
        "meetings": reverse("meetings:index"),
        "meeting": reverse("meetings:detail", args=[screens["meeting_announced"].pk]),
        "home": reverse("core:home"),
    }


# (page, label a member sees in English, the same label in Vietnamese)
LABELS = [
    ("library", "Search documents (number, title, text", "Tìm văn bản (số hiệu, tên, nội dung"),
    ("library", ">Read later<", ">Đọc sau<"),
    ("document", "<dt>Issuing body</dt>", "<dt>Cơ quan ban hành</dt>"),
    ("document", "☆ Read later", "☆ Đọc sau"),
    (
        "document",
        "Resolution No. <strong>12-NQ/CB</strong>",
        "Nghị quyết số <strong>12-NQ/CB</strong>",
    ),
    ("document", 'data-start="Read it to me"', 'data-start="Đọc cho tôi nghe"'),
    ("bookmarks", "Documents to read later", "Văn bản đọc sau"),
    ("news", "<h1>News</h1>", "<h1>Tin tức</h1>"),
    ("post", "← News", "← Tin tức"),
    ("handbook", "Search the handbook (typing without diacritics works too)", "Tìm trong sổ tay"),
    ("handbook", "<h1>Procedures handbook</h1>", "<h1>Sổ tay nghiệp vụ</h1>"),
    ("handbook_page", "On this page", "Nội dung trang"),
    ("handbook_page", "Pages in this section", "Các trang trong mục này"),
    ("handbook_search", "Results for “bien”", "Kết quả tìm “bien”"),
    ("meetings", "Upcoming and in session", "Sắp tới và đang diễn ra"),
    ("meetings", "Regular branch meeting", "Sinh hoạt thường kỳ"),
    ("meeting", "Add to phone calendar (.ics)", "Thêm vào lịch điện thoại (.ics)"),
    ("meeting", "<dt>Place</dt>", "<dt>Địa điểm</dt>"),
    ("home", "Hello, comrade", "Xin chào, đồng chí"),
    ("home", ">Procedures handbook<", ">Sổ tay nghiệp vụ<"),
]


@pytest.mark.django_db
def test_a_member_sees_the_screens_in_english_after_choosing_it(world, login, screens):
    client = _english(login(world.member))
    pages = _pages(screens)
    html = {name: client.get(url) for name, url in pages.items()}
    for name, response in html.items():
        assert response.status_code == 200, name
        assert 'lang="en"' in response.content.decode(), name
    for name, english, vietnamese in LABELS:
        page = html[name].content.decode()
        assert english in page, (name, english)
        assert vietnamese not in page, (name, vietnamese)


@pytest.mark.django_db
def test_the_same_screens_stay_vietnamese_by_default(world, login, screens):
    client = login(world.member)
    pages = _pages(screens)
    for name, english, vietnamese in LABELS:
        page = client.get(pages[name]).content.decode()
        assert vietnamese in page, (name, vietnamese)
        assert english not in page, (name, english)
        assert 'lang="vi"' in page


@pytest.mark.django_db
def test_no_vietnamese_ui_text_is_left_on_the_english_screens(world, login, screens):
    """Everything in <main> but user data is English, for a reader and for the editors."""
    data = _data(world, screens)
    doc, post, page = screens["document"], screens["post"], screens["page"]
    visits = [
        (world.member, list(_pages(screens).values())),
        (
            world.admin,
            [
                reverse("documents:create"),
                reverse("documents:detail", args=[doc.pk]),
                reverse("documents:coverage", args=[doc.pk]),
                reverse("news:create"),
                reverse("news:edit", args=[post.pk]),
                reverse("handbook:create"),
                reverse("handbook:edit", args=[page.slug]),
            ],
        ),
        (
            world.secretary,
            [
                reverse("meetings:index"),
                reverse("meetings:schedule"),
                reverse("meetings:detail", args=[screens["meeting_draft"].pk]),
                reverse("meetings:detail", args=[screens["meeting_announced"].pk]),
            ],
        ),
    ]
    for user, urls in visits:
        client = _english(login(user))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert _leftover_vietnamese(response.content.decode(), data) == [], (user, url)


@pytest.mark.django_db
def test_form_labels_and_messages_follow_the_language(world, login, screens):
    client = _english(login(world.admin))
    form = client.get(reverse("documents:create")).content.decode()
    assert "Document type" in form and "Loại văn bản" not in form
    assert "Do not put classified documents" in form
    news_form = client.get(reverse("news:create")).content.decode()
    assert "Cover image (JPEG, PNG or WebP, at most" in news_form
    assert "HTML tags allowed: &lt;a&gt;" in news_form

    member = _english(login(world.member))
    url = reverse("documents:bookmark", args=[screens["document"].pk])
    page = member.post(url, follow=True).content.decode()
    assert "Saved to Read later." in page and "Đã lưu vào mục Đọc sau." not in page

    member.post(reverse("set_language"), {"language": "vi", "next": "/"})
    page = member.post(url, follow=True).content.decode()
    assert "Đã bỏ khỏi mục Đọc sau." in page and "Removed from Read later." not in page


@pytest.mark.django_db
def test_the_meeting_warnings_and_the_home_feed_are_translated(world, login, screens):
    client = _english(login(world.secretary))
    meeting = client.get(reverse("meetings:detail", args=[screens["meeting_draft"].pk]))
    assert "No documents yet: documents must be posted at least 1 day before" in (
        meeting.content.decode()
    )
    home = client.get(reverse("core:home")).content.decode()
    assert '<span class="feed-kind">News</span>' in home


def test_every_entry_of_the_english_catalogue_is_translated():
    """No empty msgstr and no unchecked guess (fuzzy) in locale/en/LC_MESSAGES/django.po:
    after `makemessages`, write the English of every new string (CONTRIBUTING)."""
    entries = CATALOGUE.read_text(encoding="utf-8").split("\n\n")[1:]  # [0] is the header
    fuzzy = [e for e in entries if "#, fuzzy" in e and not e.lstrip().startswith("#~")]
    empty = [
        e
        for e in entries
        if not e.lstrip().startswith("#~")
        and re.search(r'^msgstr(\[\d+\])? ""\n(?!")', e + "\n", re.MULTILINE)
    ]
    assert fuzzy == [] and empty == [], (fuzzy + empty)[:5]
