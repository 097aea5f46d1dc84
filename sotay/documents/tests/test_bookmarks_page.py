"""The "Văn bản đọc sau" page and what the reader tells the installable app: which
documents to keep on the device, and the "Đọc cho tôi nghe" button."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from sotay.documents import services
from sotay.documents.models import Bookmark
from sotay.documents.testing import make_document, pdf_bytes

pytestmark = pytest.mark.django_db


def _keep(world, user, *documents):
    for document in documents:
        services.toggle_bookmark(user=user, document=document)


def test_it_lists_my_bookmarks_newest_first(world, login):
    older = make_document(world, world.province, symbol="52-NQ/TW", title="Nghị quyết 52")
    newer = make_document(world, world.branch, title="Kế hoạch chi bộ")
    not_kept = make_document(world, world.branch, title="Không lưu")
    _keep(world, world.member, older, newer)
    Bookmark.objects.filter(document=older).update(created_at=timezone.now() - dt.timedelta(days=3))
    _keep(world, world.probationary, not_kept)  # someone else's bookmark

    page = login(world.member).get("/van-ban/doc-sau/").content.decode()
    assert "Văn bản đọc sau" in page
    assert page.index("Kế hoạch chi bộ") < page.index("Nghị quyết 52")
    assert "Không lưu" not in page
    # Each item tells the app which reader page to keep, and under which title.
    assert f'data-offline-item="/van-ban/{older.pk}/"' in page
    assert 'data-title="52-NQ/TW · Nghị quyết 52"' in page
    assert page.count("data-offline-item=") == 2


def test_it_leaves_out_what_i_may_no_longer_read(world, login):
    withdrawn = make_document(world, world.branch, title="Đã thu hồi")
    elsewhere = make_document(world, world.sibling, title="Của chi bộ bên cạnh")
    _keep(world, world.member, withdrawn)
    Bookmark.objects.create(user=world.member, document=elsewhere)  # kept before a move
    services.withdraw(actor=world.admin, document=withdrawn, reason="Thay thế bằng văn bản mới")

    page = login(world.member).get("/van-ban/doc-sau/").content.decode()
    assert "Đã thu hồi" not in page and "Của chi bộ bên cạnh" not in page
    assert "Chưa lưu văn bản nào để đọc sau." in page
    # The app then forgets their saved copies: the list it syncs with is empty.
    assert "data-offline-list" in page and "data-offline-item=" not in page


def test_it_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world.member)
    _keep(world, world.member, make_document(world, world.branch, title="Một"))
    client.get("/van-ban/doc-sau/")
    with django_assert_max_num_queries(8) as few:
        client.get("/van-ban/doc-sau/")
    for n in range(12):
        org = world.province if n % 2 else world.branch
        _keep(world, world.member, make_document(world, org, title=f"Thêm {n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/van-ban/doc-sau/").content.decode()
    assert page.count("data-offline-item=") == 13


def test_the_library_tab_leads_to_it(world, login):
    page = login(world.member).get("/van-ban/").content.decode()
    assert re.search(r'<a href="/van-ban/doc-sau/"[^>]*>Đọc sau</a>', page)


def test_the_reader_asks_the_app_to_keep_it_only_while_bookmarked(world, login, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    document = make_document(world, world.province, publish=False, title="Nghị quyết 52")
    services.add_attachment(
        actor=world.admin, document=document, data=pdf_bytes("Toan van"), filename="nq.pdf"
    )
    services.publish(actor=world.admin, document=document)
    client = login(world.member)
    url = f"/van-ban/{document.pk}/"

    page = client.get(url).content.decode()
    assert f'data-offline-reader="{url}"' in page
    assert 'data-offline-keep="0"' in page
    client.post(f"{url}doc-sau/")
    page = client.get(url).content.decode()
    assert 'data-offline-keep="1"' in page
    # Its files go along (the app keeps those of at most 2 MB).
    attachment = document.attachments.get()
    assert (
        f'href="{url}tep/{attachment.pk}/" data-offline-file data-size="{attachment.size}"' in page
    )
    client.post(f"{url}doc-sau/")
    assert 'data-offline-keep="0"' in client.get(url).content.decode()


def test_the_read_aloud_button_waits_hidden_for_a_vietnamese_voice(world, login):
    document = make_document(world, world.branch, title="Kế hoạch chi bộ")
    page = login(world.member).get(f"/van-ban/{document.pk}/").content.decode()
    button = re.search(r'<button type="button" id="read-aloud"[^>]*>', page).group(0)
    assert " hidden" in button
    assert 'data-start="Đọc cho tôi nghe"' in button and 'data-stop="Dừng đọc"' in button
    assert "/static/js/read-aloud.js" in page
