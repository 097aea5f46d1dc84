import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


def test_vietnamese_is_the_default_and_time_is_hanoi():
    assert settings.LANGUAGE_CODE == "vi" and settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    import config.settings as module  # the file as deployed (tests swap in a fast hasher)

    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_the_shell_is_vietnamese_by_default_and_english_on_request(world, login):
    client = login(world.member)
    page = client.get("/").content.decode()
    for label in ("Trang chủ", "Văn bản", "Sinh hoạt", "Học tập", "Cá nhân"):
        assert label in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert ">Home<" in page and ">Documents<" in page and 'lang="en"' in page


def test_production_mode_passes_the_deploy_check():
    env = {
        **os.environ,
        "SOTAY_PRODUCTION": "1",
        "SOTAY_SECRET_KEY": "k" * 20 + "Zx9-Qw8_Er7" * 4,
        "SOTAY_ALLOWED_HOSTS": "sotay.example.vn",
    }
    env.pop("SOTAY_DEBUG", None)
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "SOTAY_PRODUCTION": "1", "SOTAY_SECRET_KEY": ""}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SOTAY_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_a_phone_set_to_english_still_gets_vietnamese_until_the_member_chooses(world, login):
    client = login(world.member)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in page and "Trang chủ" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'lang="en"' in page and ">Home<" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"  # not a language of the site
    assert 'lang="vi"' in client.get("/").content.decode()
