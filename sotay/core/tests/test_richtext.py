import pytest

from sotay.core.richtext import is_blank, sanitize, to_text


@pytest.mark.parametrize(
    "dirty, clean",
    [
        ("<p>Chào <script>alert(1)</script>đồng chí</p>", "<p>Chào đồng chí</p>"),
        ('<p onclick="x()">a</p>', "<p>a</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ('<img src="x" onerror="alert(1)">', ""),
        ('<iframe src="https://evil"></iframe><p>b</p>', "<p>b</p>"),
        ('<p style="color:red">c</p>', "<p>c</p>"),
        ("<style>p{}</style><h2>Mục</h2>", "<h2>Mục</h2>"),
        ("Nghi\u0323 quyê\u0301t", "Nghị quyết"),  # NFD in, NFC out
    ],
)
def test_sanitize_removes_what_is_not_allowed(dirty, clean):
    assert sanitize(dirty) == clean


def test_links_keep_http_and_get_rel():
    out = sanitize('<a href="https://dangcongsan.vn/">Báo Đảng</a>')
    assert 'href="https://dangcongsan.vn/"' in out and 'rel="noopener noreferrer nofollow"' in out


def test_text_and_blank():
    assert to_text("<p>Một</p><p>Hai &amp; ba</p>").split() == ["Một", "Hai", "&", "ba"]
    assert is_blank("<p> </p><br>") and not is_blank("<p>x</p>")
