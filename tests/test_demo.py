"""The demo data looks like the real thing: photo text in Norwegian letters, work-day hand-overs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PIL import Image, ImageDraw

from reuse.clock import OSLO
from reuse.demo import PHOTO_FONT, _photo_font, in_working_hours


def _drawn(font, text: str) -> bytes:
    image = Image.new("L", (120, 120))
    ImageDraw.Draw(image).text((10, 10), text, fill=255, font=font)
    return image.tobytes()


@pytest.mark.skipif(not PHOTO_FONT.exists(), reason="DejaVu Sans is not installed here")
def test_demo_photo_text_draws_every_norwegian_letter():
    font = _photo_font(44)
    missing = _drawn(font, "\u0378")  # an unassigned code point: the font's "missing" box
    for letter in "æøåÆØÅ":
        assert _drawn(font, letter) != missing, f"{letter} is drawn as a missing glyph"


@pytest.mark.parametrize("moment", [
    datetime(2026, 3, 7, 22, 40, tzinfo=UTC),   # Saturday night
    datetime(2026, 3, 8, 3, 5, tzinfo=UTC),     # Sunday, early
    datetime(2026, 3, 10, 5, 15, tzinfo=UTC),   # Tuesday, before work
    datetime(2026, 7, 1, 14, 59, tzinfo=UTC),   # summer time
])
def test_demo_hand_overs_are_moved_into_working_hours(moment):
    local = in_working_hours(moment).astimezone(OSLO)
    assert local.weekday() < 5 and 8 <= local.hour < 16
    assert abs((local.date() - moment.astimezone(OSLO).date()).days) <= 2
