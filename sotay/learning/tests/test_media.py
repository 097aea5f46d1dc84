"""What the bytes are, and the upload size guard."""

import io

import pytest
from django.core.files.uploadhandler import StopUpload

from sotay.learning import media
from sotay.learning.testing import mp3_head, wav_bytes


def test_audio_and_video_are_recognised_by_their_bytes():
    assert media.sniff_lesson(mp3_head(), "audio") == media.MP3
    assert media.sniff_lesson(b"\xff\xfb\x90\x64" + b"\0" * 60, "audio") == media.MP3
    assert media.sniff_lesson(wav_bytes(0.1)[:64], "audio") == media.WAV
    assert media.sniff_lesson(b"OggS\x00\x02" + b"\0" * 58, "audio") == media.OGG
    m4a = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\0" * 44
    assert media.sniff_lesson(m4a, "audio") == media.M4A
    mp4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + b"\0" * 44
    assert media.sniff_lesson(mp4, "video") == media.MP4
    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\0" * 40
    assert media.sniff_lesson(webm, "video") == media.WEBM
    assert media.sniff_lesson(b"%PDF-1.7\n", "pdf") == media.PDF


def test_wrong_or_fake_files_are_refused():
    assert media.sniff_lesson(b"<html><script>", "audio") is None
    assert media.sniff_lesson(b"MZ\x90\x00", "video") is None
    assert media.sniff_lesson(mp3_head(), "video") is None  # audio is not a video
    assert media.sniff_lesson(b"%PDF-1.4", "audio") is None
    assert media.sniff_lesson(b"\xff\xf1\x50\x80", "audio") is None  # AAC ADTS, layer 00
    assert media.sniff_lesson(b"RIFF\0\0\0\0AVI ", "audio") is None


def test_the_size_guard_stops_a_stream_that_passes_the_limit():
    handler = media.SizeLimitHandler(None, limit=1000)
    handler.handle_raw_input(io.BytesIO(), {}, 500, b"x")
    handler.new_file("file", "a.mp4", "video/mp4", 0)
    handler.receive_data_chunk(b"x" * 600, 0)
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 600, 600)
    assert handler.exceeded


def test_the_size_guard_stops_at_a_declared_length_before_reading():
    handler = media.SizeLimitHandler(None, limit=1000)
    handler.handle_raw_input(io.BytesIO(), {}, 2 * 1024**3, b"x")
    with pytest.raises(StopUpload):
        handler.new_file("file", "big.mp4", "video/mp4", 0)
    assert handler.exceeded and handler.received == 0
