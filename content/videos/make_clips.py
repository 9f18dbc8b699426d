"""Make the small local how-to clips from the captions in catalogue.toml (slides + Debian's ffmpeg).

Run once after changing captions: `python content/videos/make_clips.py`. The app only plays the
resulting .mp4 files; ffmpeg is needed here, never at run time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import textwrap
import tomllib
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONTS = HERE.parent / "fonts"
WIDTH, HEIGHT = 480, 270
SECONDS_PER_SLIDE = 3
# Colours of the campaign material: dark blue on white, a red band for the title slide.
BACKGROUND, INK, BAND, BAND_INK = (255, 255, 255), (16, 42, 94), (178, 34, 34), (255, 255, 255)


def slide(text: str, *, first: bool, index: int, total: int) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), BAND if first else BACKGROUND)
    draw = ImageDraw.Draw(image)
    face = "DejaVuSans-Bold.ttf" if first else "DejaVuSans.ttf"
    font = ImageFont.truetype(str(FONTS / face), 30 if first else 26)
    small = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 14)
    lines = textwrap.wrap(unicodedata.normalize("NFC", text), width=26)
    line_height = font.size + 10
    y = (HEIGHT - line_height * len(lines)) // 2
    for line in lines:
        w = draw.textlength(line, font=font)
        draw.text(((WIDTH - w) / 2, y), line, font=font, fill=BAND_INK if first else INK)
        y += line_height
    footer = f"5 biết, 3 hướng dẫn · {index}/{total}"
    draw.text((12, HEIGHT - 24), footer, font=small, fill=BAND_INK if first else INK)
    return image


def make_clip(captions: list[str], out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for i, caption in enumerate(captions):
            slide(caption, first=i == 0, index=i + 1, total=len(captions)).save(Path(tmp) / f"s{i:02d}.png")
        subprocess.run(
            [
                "ffmpeg", "-y", "-loglevel", "error",
                "-framerate", f"1/{SECONDS_PER_SLIDE}", "-i", str(Path(tmp) / "s%02d.png"),
                "-vf", "fps=10,format=yuv420p",
                "-c:v", "libx264", "-profile:v", "baseline", "-crf", "30", "-preset", "veryslow",
                "-movflags", "+faststart", "-an", str(out),
            ],
            check=True,
        )  # fmt: skip


def main() -> int:
    if shutil.which("ffmpeg") is None:
        print("ffmpeg is needed to make the clips (apt-get install ffmpeg)", file=sys.stderr)
        return 1
    catalogue = tomllib.loads((HERE / "catalogue.toml").read_text(encoding="utf-8"))
    for entry in catalogue["videos"]:
        if "file" in entry:
            out = HERE / entry["file"]
            make_clip(entry["captions"], out)
            print(f"{out.name}: {out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
