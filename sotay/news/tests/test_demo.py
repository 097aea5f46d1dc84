"""The demo posts: one pinned with a cover, one scheduled, and idempotent."""

import pytest

from sotay.accounts.models import User
from sotay.news.demo import seed_news
from sotay.news.models import Post
from sotay.organizations.models import Organization, OrgType

pytestmark = pytest.mark.django_db


def test_seed_news_adds_the_posts_once(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    assert seed_news() == 0  # no demo tree yet
    root = Organization.create_root(code="HN", name="Thành phố", org_type=OrgType.PROVINCE)
    ward = root.create_child(code="HN.HK", name="Phường", org_type=OrgType.ABOVE_GRASSROOTS)
    ward.create_child(code="HN.HK.CB1", name="Chi bộ 1", org_type=OrgType.GRASSROOTS_BRANCH)
    User.objects.create_superuser("admin", "x", full_name="Quản trị")
    assert seed_news() == 4
    assert seed_news() == 0
    pinned = Post.objects.get(pinned=True)
    assert pinned.title == "Hội nghị sơ kết 6 tháng đầu năm 2026" and pinned.cover
    assert [p.title for p in Post.objects.all() if p.is_scheduled] == [
        "Hội nghị học tập, quán triệt Nghị quyết Đại hội Đảng bộ phường"
    ]
