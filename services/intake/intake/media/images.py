"""What an uploaded photo really is, and a clean copy of it: pure functions over bytes.

The type comes from the bytes (Pillow's decoders, limited to JPEG, PNG and WebP), never from
the client's header or file name. Every accepted photo is decoded and encoded again, which
drops EXIF (and with it the GPS location), XMP, PNG text chunks and anything hidden after
the image data; the EXIF orientation is applied first so the photo still looks upright.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name -> (MIME type, save options of the clean copy).
FORMATS: dict[str, tuple[str, dict]] = {
    "JPEG": ("image/jpeg", {"quality": 90, "optimize": True}),
    "PNG": ("image/png", {"optimize": True}),
    "WEBP": ("image/webp", {"quality": 90}),
}
# Modes each encoder writes; anything else is converted to RGB, or RGBA if it has alpha.
SAVE_MODES = {"JPEG": {"L", "RGB", "CMYK"},
              "PNG": {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"},
              "WEBP": {"RGB", "RGBA"}}


class NotAnImage(Exception):
    """The bytes are not a JPEG, PNG or WebP image that decodes completely."""


class ImageTooLarge(Exception):
    """The image has more pixels than allowed (a small file can still decode huge)."""


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded photo without metadata, ready to store."""

    content_type: str
    data: bytes
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(data: bytes) -> str:
    """The MIME type the bytes really hold, or NotAnImage."""
    with _open(data) as image:
        return FORMATS[image.format][0]


def clean(data: bytes, *, max_pixels: int) -> CleanImage:
    """Decode fully, check the pixel count, and encode again without any metadata."""
    with _open(data) as probe:
        fmt = probe.format
        width, height = probe.size
        if width * height > max_pixels:
            raise ImageTooLarge(f"{width}x{height} is over {max_pixels} pixels")
        try:
            probe.verify()  # structure and checksums, without decoding pixels
        except Exception as exc:
            raise NotAnImage(f"damaged {fmt} data: {exc}") from None
    with _open(data) as image:
        try:
            image.load()  # verify() leaves the image unusable; decode a second copy
            upright = ImageOps.exif_transpose(image)
        except (OSError, SyntaxError, ValueError) as exc:
            raise NotAnImage(f"{fmt} data does not decode: {exc}") from None
        if upright.mode not in SAVE_MODES[fmt]:
            upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
        # Encoders fall back on `info` (PNG keeps its text, ICC and EXIF from there): keep only
        # transparency, and pass no exif=, xmp= or pnginfo=, so the copy carries pixels only.
        upright.info = {k: v for k, v in upright.info.items() if k == "transparency"}
        mime, options = FORMATS[fmt]
        out = io.BytesIO()
        upright.save(out, format=fmt, **options)
        return CleanImage(mime, out.getvalue(), upright.width, upright.height)


def _open(data: bytes) -> Image.Image:
    if not data:
        raise NotAnImage("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageTooLarge(str(exc)) from None
    except UnidentifiedImageError:
        raise NotAnImage("not a JPEG, PNG or WebP image") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise NotAnImage(f"unreadable image data: {exc}") from None
