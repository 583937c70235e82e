"""Checking citizens' photos (照片): type by content, size, full decode, metadata stripped."""

import hashlib
import io
import os
import threading
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from zhitong.core.text import strip_invisible

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# A phone photo is 12-50 megapixels; anything larger is refused before it is decoded,
# so a small file that unpacks to gigabytes (a decompression bomb) never reaches memory.
# What a photo may declare in its header, checked before a single pixel is decoded (a small
# file that declares a huge image is a decompression bomb). A JPEG is decoded at a reduced
# scale (the decoder's draft mode: 1/2, 1/4, 1/8) down to DECODED_PIXELS, so a 50-megapixel
# phone photo costs what a 12-megapixel one does. PNG and WebP cannot be decoded smaller:
# their limit is what may be decoded whole.
MAX_JPEG_PIXELS = 50_000_000
MAX_LOSSLESS_PIXELS = 12_000_000
DECODED_PIXELS = 12_600_000
# Stored photos are at most this wide or high (4K): enough to read a sign or a meter.
MAX_STORED_SIDE = 4096
# Defence in depth for any other Pillow use in the process (Pillow's default is ~89 MP).
Image.MAX_IMAGE_PIXELS = MAX_JPEG_PIXELS
# One photo decoded at a time per process: a threaded server cannot multiply the peak.
_DECODING = threading.BoundedSemaphore(1)
JPEG_QUALITY = 88
# What Pillow raises for a broken or foreign file, depending on where it breaks.
BROKEN = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)

# Pillow format -> (content type, extension). Only these are accepted, whatever the name says.
FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}


@dataclass(frozen=True)
class CleanPhoto:
    """A photo that passed every check, re-encoded without metadata; ready to store."""

    data: bytes
    content_type: str
    extension: str
    original_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def _display_name(upload) -> str:
    # The browser's file name is only kept for display; the path part is never trusted.
    name = os.path.basename(str(getattr(upload, "name", "") or "").replace("\\", "/"))
    name = strip_invisible(name).strip()
    return name[:200] or _("照片")


def _reject(name: str, message: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s”：%(message)s") % {"name": name, "message": message}, code="photo"
    )


def _read(upload, name: str) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise _reject(name, _too_large(size))
    if hasattr(upload, "seek"):
        upload.seek(0)
    # One byte past the limit is enough to know; a wrong declared size cannot slip past.
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise _reject(name, _too_large(len(data)))
    if not data:
        raise _reject(name, _("文件是空的。"))
    return data


def _too_large(size: int) -> str:
    return _("照片过大（%(size).1f MB），每张不能超过 %(limit)d MB。") % {
        "size": size / (1024 * 1024),
        "limit": MAX_PHOTO_BYTES // (1024 * 1024),
    }


def _not_an_image() -> str:
    return _("不是可以识别的照片，只能上传 JPEG、PNG 或 WebP 格式的图片。")


def _too_many_pixels(name: str) -> ValidationError:
    return _reject(name, _("图片尺寸过大，请缩小后再上传。"))


def _decode(data: bytes, name: str) -> tuple[Image.Image, str]:
    """The decoded image (at most DECODED_PIXELS) and its real format, or a ValidationError.

    The header's declared size is checked first: nothing larger than the limits is decoded.
    """
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in FORMATS:
                raise _reject(name, _not_an_image())
            limit = MAX_JPEG_PIXELS if fmt == "JPEG" else MAX_LOSSLESS_PIXELS
            if width * height > limit:
                raise _too_many_pixels(name)
            # verify() checks the file's structure (chunks, CRCs) without decoding pixels.
            probe.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(name) from error
    except BROKEN as error:
        raise _reject(name, _not_an_image()) from error
    try:
        # verify() leaves the image unusable: open again and decode every pixel, which
        # catches a truncated or corrupt body that a header check would let through.
        image = Image.open(io.BytesIO(data))
        if fmt == "JPEG" and width * height > DECODED_PIXELS:
            # draft() keeps the image at least as large as asked, choosing among 1/2, 1/4
            # and 1/8: ask for exactly the first reduction that fits.
            scale = next(s for s in (2, 4, 8) if (width // s) * (height // s) <= DECODED_PIXELS)
            image.draft(image.mode, (width // scale, height // scale))
        image.load()
    except Image.DecompressionBombError as error:
        raise _too_many_pixels(name) from error
    except BROKEN as error:
        raise _reject(name, _("照片文件已损坏或不完整，请重新选择。")) from error
    return image, fmt


def _reencode(image: Image.Image, fmt: str) -> bytes:
    """The pixels alone, written anew: no EXIF (GPS, camera), no text chunks, no ICC.

    At most two copies of the pixels live at once (the decoded one is closed as soon as
    the clean copy holds them).
    """
    # Turn the picture upright first: without its EXIF orientation a phone photo would
    # otherwise show on its side.
    upright = ImageOps.exif_transpose(image)
    if upright is not image:
        image.close()
    if max(upright.size) > MAX_STORED_SIDE:
        upright.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.Resampling.LANCZOS)
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    upright.close()
    output = io.BytesIO()
    if fmt == "JPEG":
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "PNG":
        if clean.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            clean = clean.convert("RGBA")
        clean.save(output, "PNG", optimize=True)
    else:
        if clean.mode not in ("RGB", "RGBA"):
            clean = clean.convert("RGBA" if "A" in clean.mode else "RGB")
        clean.save(output, "WEBP", quality=JPEG_QUALITY)
    clean.close()
    return output.getvalue()


def check_photo(upload) -> CleanPhoto:
    """Check one uploaded file and return it cleaned, or raise a ValidationError in Chinese.

    The type is decided by the content (Pillow's reading of the bytes), never by the
    file name or the type the browser declared: an executable named .jpg is refused,
    a PNG named .jpg is accepted as the PNG it is.
    """
    if isinstance(upload, CleanPhoto):
        return upload
    name = _display_name(upload)
    data = _read(upload, name)
    with _DECODING:
        image, fmt = _decode(data, name)
        try:
            cleaned = _reencode(image, fmt)
        except (OSError, ValueError) as error:
            raise _reject(name, _not_an_image()) from error
        finally:
            image.close()
        del image
    content_type, extension = FORMATS[fmt]
    return CleanPhoto(
        data=cleaned,
        content_type=content_type,
        extension=extension,
        original_name=name,
        sha256=hashlib.sha256(cleaned).hexdigest(),
    )


def check_photos(uploads) -> list[CleanPhoto]:
    """Check up to MAX_PHOTOS uploads; every problem is reported, not only the first."""
    uploads = [u for u in uploads or () if u]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(
            _("最多上传 %(limit)d 张照片，您选择了 %(count)d 张。")
            % {"limit": MAX_PHOTOS, "count": len(uploads)},
            code="too_many_photos",
        )
    photos, errors = [], []
    for upload in uploads:
        try:
            photos.append(check_photo(upload))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return photos
