"""A plain job-ad picture (title, location, salary line) for networks that need an image, such as Instagram."""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from scheduler.jobads import placeholder_values
from scheduler.models import Vacancy

#: 4:5 portrait, the largest shape Instagram shows in the feed.
SIZE = (1080, 1350)
BACKGROUND = (22, 48, 82)  # dark blue: white text on it passes WCAG AA by a wide margin
ACCENT = (255, 196, 0)
TEXT = (255, 255, 255)


def job_ad_image(vacancy: Vacancy, *, company: str = "", language: str = "de") -> bytes:
    """Return a JPEG with the vacancy's title (with gender marker), location and salary line, ready to post."""
    values = placeholder_values(vacancy, language, company)
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    hiring = "Wir suchen" if language == "de" else "We are hiring"
    draw.rectangle((80, 120, 240, 132), fill=ACCENT)
    draw.text((80, 170), hiring, font=ImageFont.load_default(size=56), fill=ACCENT)
    y = 280
    title_font = ImageFont.load_default(size=92)
    for line in textwrap.wrap(values["title"], width=18)[:4]:
        draw.text((80, y), line, font=title_font, fill=TEXT)
        y += 112
    details = ImageFont.load_default(size=48)
    y += 40
    for line in [values["location"], *textwrap.wrap(values["salary"], width=38)[:3]]:
        if line:
            draw.text((80, y), line, font=details, fill=TEXT)
            y += 64
    if company:
        draw.text((80, SIZE[1] - 140), company, font=details, fill=ACCENT)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()
