import pytest

from sotay.learning.testing import build_programme


@pytest.fixture(autouse=True)
def _private(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def programme(world):
    return build_programme(world)
