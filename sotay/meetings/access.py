"""Loading a meeting named by user input. Missing and out-of-scope both answer 404."""

from django.http import Http404

from sotay.meetings.models import AgendaItem, Material, Meeting, Motion, RosterEntry
from sotay.meetings.queries import may_see


def get_meeting_for_user(user, pk) -> Meeting:
    try:
        meeting = Meeting.objects.select_related("organization").get(pk=int(pk))
    except (Meeting.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("Không tìm thấy cuộc họp.") from None
    if not may_see(user, meeting):
        raise Http404("Không tìm thấy cuộc họp.")
    return meeting


def get_motion_for_user(user, meeting_pk, pk) -> Motion:
    """The motion with its meeting in one query (a vote's first read); a missing motion
    of a visible meeting and an invisible meeting answer their own 404."""
    try:
        motion = Motion.objects.select_related("meeting__organization").get(
            pk=int(pk), meeting_id=int(meeting_pk)
        )
    except (Motion.DoesNotExist, TypeError, ValueError, OverflowError):
        get_meeting_for_user(user, meeting_pk)
        raise Http404("Không tìm thấy nội dung biểu quyết.") from None
    if not may_see(user, motion.meeting):
        raise Http404("Không tìm thấy cuộc họp.")
    return motion


def get_agenda_item_for_user(user, meeting_pk, pk) -> AgendaItem:
    meeting = get_meeting_for_user(user, meeting_pk)
    try:
        item = meeting.agenda.get(pk=int(pk))
    except (AgendaItem.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy nội dung chương trình.") from None
    item.meeting = meeting
    return item


def get_material_for_user(user, meeting_pk, pk) -> Material:
    meeting = get_meeting_for_user(user, meeting_pk)
    try:
        material = meeting.materials.get(pk=int(pk))
    except (Material.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy tài liệu.") from None
    material.meeting = meeting
    return material


def get_entry_for_user(user, meeting_pk, pk) -> RosterEntry:
    """A roster line of a meeting the user may see (whether they may change it is the
    service's decision)."""
    meeting = get_meeting_for_user(user, meeting_pk)
    try:
        entry = meeting.roster.get(pk=int(pk))
    except (RosterEntry.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy đảng viên trong danh sách triệu tập.") from None
    entry.meeting = meeting
    return entry
