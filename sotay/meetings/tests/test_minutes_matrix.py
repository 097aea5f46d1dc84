"""Every screen of the minutes, resolution, self-score and statistics for every persona,
on a closed meeting of B1 whose meeting secretary is the plain member: with a draft of
the minutes (readers find nothing) and after approval (members and the superior committee
read). A pending account is always sent to its waiting page."""

import pytest
from django.urls import reverse

from sotay.core.testing import PERSONAS
from sotay.meetings import minutes
from sotay.meetings.tests.minutes_world import build_minutes_world

pytestmark = pytest.mark.django_db


def expect(default, **overrides):
    table = dict.fromkeys(PERSONAS, default)
    table.update(overrides)
    return table


RUNNERS = {"member": 200, "secretary": 200, "admin": 200}  # the member is the thư ký
CONVENER = {"secretary": 200, "admin": 200}
REPORTERS = dict(secretary=302, commune_officer=302, province_officer=302, office=302,
                 inspector=302, admin=200)  # fmt: skip

DRAFT_CASES = [
    ("minutes_notes", "meeting", expect(403, outsider=404, **RUNNERS)),
    ("minutes", "meeting", expect(404, **RUNNERS)),
    ("minutes_version", "v1", expect(404, **RUNNERS)),
    ("minutes_pdf", "v1", expect(404, **RUNNERS)),
    ("resolution", "meeting", expect(403, outsider=404, **CONVENER)),
    ("score", "meeting", expect(403, outsider=404, **CONVENER)),
    ("score_config", None, expect(403, admin=200)),
    ("stats_index", None, expect(403, **REPORTERS)),
    ("stats", "branch", expect(200, member=403, probationary=403, outsider=404)),
    ("stats", "province", expect(404, province_officer=200, inspector=200, admin=200)),
]
# After approval members of B1 and everyone following it from above read the minutes.
APPROVED_CASES = [
    ("minutes", "meeting", expect(200, outsider=404)),
    ("minutes_version", "v1", expect(200, outsider=404)),
    ("minutes_pdf", "v1", expect(200, outsider=404)),
]


def _args(w, which):
    if which is None:
        return []
    if which == "meeting":
        return [w.meeting.pk]
    if which == "v1":
        return [w.meeting.pk, 1]
    return [getattr(w, which).pk]


@pytest.fixture
def drafted(meeting_world):
    w = build_minutes_world(meeting_world)
    w.draft = minutes.draft_minutes(user=w.member, meeting=w.meeting)
    return w


def _check(w, client, persona, cases):
    client.force_login(w.persona(persona), backend="sotay.accounts.backends.IdentifierBackend")
    failures = []
    for name, which, table in cases:
        url = reverse(f"meetings:{name}", args=_args(w, which))
        status = client.get(url).status_code
        expected = 302 if persona == "pending" else table[persona]
        if status != expected:
            failures.append(f"{url}: {status} != {expected}")
    assert not failures, f"{persona}: " + "; ".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
def test_screens_with_a_draft_answer_by_scope(drafted, client, persona):
    _check(drafted, client, persona, DRAFT_CASES)


@pytest.mark.parametrize("persona", PERSONAS)
def test_approved_minutes_answer_by_scope(drafted, client, persona):
    minutes.approve_minutes(user=drafted.secretary, minutes=drafted.draft)
    _check(drafted, client, persona, APPROVED_CASES)
