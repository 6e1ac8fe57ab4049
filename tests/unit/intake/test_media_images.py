"""Photo bytes: the type comes from the bytes, every copy is re-encoded without EXIF/GPS."""

import io

import pytest
from PIL import Image

from intake.media import images
from tests.unit.intake.photos import GPS, GPS_IFD, exif_of, photo

LIMIT = 10_000_000


@pytest.mark.parametrize("fmt, mime", [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                       ("WEBP", "image/webp")])
def test_the_type_is_read_from_the_bytes(fmt, mime):
    assert images.sniff(photo(fmt)) == mime
    assert images.clean(photo(fmt), max_pixels=LIMIT).content_type == mime


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_gps_and_all_exif_are_gone_from_the_stored_copy(fmt):
    original = photo(fmt)
    assert exif_of(original).get_ifd(GPS_IFD) == GPS  # the test photo really carries GPS
    cleaned = images.clean(original, max_pixels=LIMIT)
    assert dict(exif_of(cleaned.data)) == {}
    assert exif_of(cleaned.data).get_ifd(GPS_IFD) == {}
    assert b"Exif" not in cleaned.data and b"PhoneMaker" not in cleaned.data


def test_png_text_chunks_are_dropped():
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "home address: 2-301")
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG", pnginfo=info)
    assert b"2-301" in out.getvalue()
    assert b"2-301" not in images.clean(out.getvalue(), max_pixels=LIMIT).data


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    # Orientation 6: the camera was turned; viewers rotate 90° to show it upright.
    cleaned = images.clean(photo("JPEG", (64, 48), orientation=6), max_pixels=LIMIT)
    assert (cleaned.width, cleaned.height) == (48, 64)
    assert Image.open(io.BytesIO(cleaned.data)).size == (48, 64)


def test_trailing_bytes_after_the_image_are_not_kept():
    polyglot = photo("JPEG") + b"<script>alert(1)</script>"
    assert b"<script>" not in images.clean(polyglot, max_pixels=LIMIT).data


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    return out.getvalue()


@pytest.mark.parametrize("data", [
    b"", b"hello, this is text", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"%PDF-1.7\n",
    photo("JPEG")[:300], photo("PNG")[:60], b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
], ids=["empty", "text", "svg", "pdf", "truncated-jpeg", "truncated-png", "png-magic-only"])
def test_what_is_not_a_whole_jpeg_png_or_webp_is_refused(data):
    with pytest.raises(images.NotAnImage):
        images.clean(data, max_pixels=LIMIT)


def test_a_gif_is_refused_whatever_the_client_calls_it():
    with pytest.raises(images.NotAnImage):
        images.sniff(gif())


def test_too_many_pixels_is_refused_before_decoding():
    with pytest.raises(images.ImageTooLarge):
        images.clean(photo("PNG", (200, 100), gps=False), max_pixels=200 * 100 - 1)
    assert images.clean(photo("PNG", (200, 100), gps=False), max_pixels=200 * 100).width == 200


def test_cmyk_and_transparent_images_keep_their_kind():
    assert images.clean(photo("JPEG", mode="CMYK", gps=False), max_pixels=LIMIT).content_type \
        == "image/jpeg"
    rgba = images.clean(photo("PNG", mode="RGBA", gps=False), max_pixels=LIMIT)
    assert Image.open(io.BytesIO(rgba.data)).mode == "RGBA"
