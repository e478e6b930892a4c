"""The job-ad picture: a portrait JPEG Instagram takes, with the title, place and salary line on it."""

from __future__ import annotations

import io

from PIL import Image, ImageStat

from scheduler.jobad_image import BACKGROUND, SIZE, job_ad_image
from scheduler.models import Vacancy


def _vacancy(**values: object) -> Vacancy:
    base: dict[str, object] = {"title": "Lagerist", "location": "Graz", "country": "AT", "salary_min": 2450,
                               "salary_period": "MONTH", "overpay": True, "salary_statement": "",
                               "employment_type": "FULL_TIME", "description": "", "apply_url": None,
                               "reference": "", "valid_through": None, "language": "de"}
    return Vacancy(**{**base, **values})


def test_the_picture_is_a_4_to_5_jpeg_within_instagrams_limits() -> None:
    data = job_ad_image(_vacancy(), company="ACME GmbH")
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("JPEG", SIZE)
        assert len(data) < 8 * 1024 * 1024


def test_the_picture_carries_text_and_differs_per_vacancy() -> None:
    first = job_ad_image(_vacancy())
    second = job_ad_image(_vacancy(title="Filialleitung", location="Linz"))
    assert first != second
    with Image.open(io.BytesIO(first)) as image:
        # Not a blank background: the text adds light pixels.
        assert ImageStat.Stat(image.convert("L")).extrema[0][1] > 200
        assert image.getpixel((5, 5)) == image.getpixel((6, 6))
        r, g, b = image.getpixel((5, 5))
        assert abs(r - BACKGROUND[0]) < 8 and abs(b - BACKGROUND[2]) < 8
