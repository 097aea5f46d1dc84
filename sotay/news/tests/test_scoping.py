"""Who sees which post: readers their branch's and every ancestor's due posts, never a
sibling subtree's; editors every state in their subtree; a scheduled post only from its
time on."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from sotay.news.access import get_post_for_user
from sotay.news.queries import newest_first, posts_visible_to
from sotay.news.testing import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(world):
    return {
        "province": make_post(world, world.province, title="Tin Thành ủy"),
        "commune": make_post(world, world.commune, title="Tin Đảng ủy phường An Hòa"),
        "branch": make_post(world, world.branch, title="Tin Chi bộ Khu phố 1"),
        "sibling": make_post(world, world.sibling, title="Tin Chi bộ Khu phố 2"),
        "commune2": make_post(world, world.commune2, title="Tin xã Bình Minh"),
        "other": make_post(world, world.other_province, title="Tin tỉnh khác"),
        "draft": make_post(world, world.commune, publish=False, title="Tin nháp"),
    }


def _titles(user):
    return set(posts_visible_to(user).values_list("title", flat=True))


def test_a_branch_member_sees_own_and_ancestors_posts_only(world, posts):
    assert _titles(world.member) == {
        "Tin Thành ủy",
        "Tin Đảng ủy phường An Hòa",
        "Tin Chi bộ Khu phố 1",
    }


def test_the_sibling_branch_sees_its_own_not_ours(world, posts):
    assert _titles(world.outsider) == {
        "Tin Thành ủy",
        "Tin Đảng ủy phường An Hòa",
        "Tin Chi bộ Khu phố 2",
    }


def test_an_outsider_gets_404_for_another_branch_post(world, posts):
    from django.http import Http404

    with pytest.raises(Http404):
        get_post_for_user(world.outsider, posts["branch"].pk)
    with pytest.raises(Http404):
        get_post_for_user(world.member, posts["other"].pk)
    with pytest.raises(Http404):
        get_post_for_user(world.member, "abc")


def test_readers_never_see_drafts_or_withdrawn_posts(world, posts):
    from sotay.news import services

    services.withdraw(actor=world.admin, post=posts["branch"], reason="Thông tin chưa chính xác")
    assert "Tin Chi bộ Khu phố 1" not in _titles(world.member)
    assert "Tin nháp" not in _titles(world.secretary)


def test_the_office_sees_every_state_in_its_subtree_and_nothing_below_elsewhere(world, posts):
    seen = _titles(world.office)
    assert {"Tin nháp", "Tin Chi bộ Khu phố 1", "Tin Chi bộ Khu phố 2"} <= seen
    assert "Tin Thành ủy" in seen  # an ancestor's post, as a reader
    assert "Tin xã Bình Minh" not in seen and "Tin tỉnh khác" not in seen


def test_a_superuser_sees_everything(world, posts):
    assert len(_titles(world.admin)) == len(posts)


def test_a_pending_account_sees_nothing(world, posts):
    assert _titles(world.pending) == set()


def test_a_scheduled_post_is_invisible_until_its_time(world):
    at = timezone.now() + dt.timedelta(hours=3)
    post = make_post(world, world.branch, title="Hội nghị sơ kết 6 tháng", publish_at=at)
    assert post.is_scheduled
    assert post not in posts_visible_to(world.member)
    assert post in posts_visible_to(world.office)  # the editor sees it, scheduled
    later = at + dt.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert post in posts_visible_to(world.member)
        assert not type(post).objects.get(pk=post.pk).is_scheduled


def test_pinned_posts_come_first_then_newest(world):
    from sotay.news import services

    old = make_post(world, world.branch, title="Cũ")
    pinned = make_post(world, world.province, title="Ghim")
    new = make_post(world, world.commune, title="Mới")
    services.set_pinned(actor=world.admin, post=pinned, pinned=True)
    order = list(newest_first(posts_visible_to(world.member)))
    assert order == [pinned, new, old]
