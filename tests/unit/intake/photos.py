"""Builders of real image bytes for photo tests (Pillow), with and without GPS EXIF."""

import io

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# 22°49'1.2"N 108°19'2.5"E: a spot in Nanning.
GPS = {1: "N", 2: (22.0, 49.0, 1.2), 3: "E", 4: (108.0, 19.0, 2.5)}


def exif_with_gps(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = GPS
    return exif.tobytes()


def photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), *, gps: bool = True,
          orientation: int = 1, mode: str = "RGB") -> bytes:
    """An image of `fmt` whose left half is red and right half blue."""
    image = Image.new(mode, size, "red")
    image.paste("blue", (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    extra = {"exif": exif_with_gps(orientation)} if gps else {}
    image.save(out, format=fmt, **extra)
    return out.getvalue()


def noisy_jpeg(size: tuple[int, int]) -> bytes:
    """A JPEG that compresses badly, to get past a byte limit with few pixels."""
    out = io.BytesIO()
    Image.effect_noise(size, 100).convert("RGB").save(out, format="JPEG", quality=100)
    return out.getvalue()


def exif_of(data: bytes) -> Image.Exif:
    return Image.open(io.BytesIO(data)).getexif()
