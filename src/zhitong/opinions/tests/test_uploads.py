"""Photo checks: the content decides the type, size limits, full decode, metadata stripped."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhitong.opinions.uploads import MAX_PHOTO_BYTES, check_photo, check_photos

from .intake_support import ELF_BYTES, PE_BYTES, gps_exif, image_bytes


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted(fmt):
    photo = check_photo(upload("x", image_bytes(fmt)))
    assert photo.content_type == f"image/{fmt.lower()}"
    assert Image.open(io.BytesIO(photo.data)).format == fmt


def test_a_png_with_a_jpg_name_and_type_is_a_png():
    photo = check_photo(upload("holiday.jpg", image_bytes("PNG"), "image/jpeg"))
    assert (photo.content_type, photo.extension) == ("image/png", ".png")
    assert photo.original_name == "holiday.jpg"


@pytest.mark.parametrize(
    "payload", [ELF_BYTES, PE_BYTES, b"<?php system($_GET['c']); ?>", b"GIF89a" + b"\x00" * 100]
)
def test_executables_and_other_files_named_jpg_are_refused(payload):
    with pytest.raises(ValidationError) as error:
        check_photo(upload("photo.jpg", payload))
    assert "不是可以识别的照片，只能上传 JPEG、PNG 或 WebP 格式的图片。" in messages(error.value)


def test_a_gif_is_refused_even_though_it_is_an_image():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "GIF")
    with pytest.raises(ValidationError):
        check_photo(upload("a.gif", buffer.getvalue(), "image/gif"))


def test_a_jpeg_with_gps_exif_comes_out_without_exif():
    original = image_bytes("JPEG", exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS is there before
    photo = check_photo(upload("gps.jpg", original))
    cleaned = Image.open(io.BytesIO(photo.data))
    assert dict(cleaned.getexif()) == {}
    assert "exif" not in cleaned.info
    assert b"Exif" not in photo.data
    assert b"PhoneMaker" not in photo.data


def test_orientation_is_applied_before_the_exif_goes():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: the camera stored it on its side
    photo = check_photo(upload("side.jpg", image_bytes("JPEG", size=(80, 40), exif=exif)))
    assert Image.open(io.BytesIO(photo.data)).size == (40, 80)


def test_png_text_chunks_are_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-location")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "PNG", pnginfo=info)
    photo = check_photo(upload("a.png", buffer.getvalue(), "image/png"))
    assert b"secret-location" not in photo.data


def test_a_20_mb_file_is_refused_before_it_is_read():
    big = upload("big.jpg", b"\xff\xd8\xff" + b"\x00" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        check_photo(big)
    assert "照片过大（20.0 MB），每张不能超过 5 MB。" in messages(error.value)


def test_a_file_lying_about_its_size_is_still_stopped_at_the_limit():
    lying = upload("big.jpg", b"\xff\xd8\xff" + b"\x00" * (MAX_PHOTO_BYTES + 10))
    lying.size = 100
    with pytest.raises(ValidationError) as error:
        check_photo(lying)
    assert "每张不能超过 5 MB" in messages(error.value)


def test_a_truncated_photo_is_refused():
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(buffer, "JPEG")
    with pytest.raises(ValidationError) as error:
        check_photo(upload("cut.jpg", buffer.getvalue()[:2000]))
    assert "不完整" in messages(error.value) or "不是可以识别的照片" in messages(error.value)


def test_a_decompression_bomb_is_refused_without_decoding():
    # 20000 x 20000 one-bit pixels: 50 KB on disk, 400 megapixels in memory.
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < MAX_PHOTO_BYTES
    with pytest.raises(ValidationError) as error:
        check_photo(upload("bomb.png", buffer.getvalue(), "image/png"))
    assert "图片尺寸过大" in messages(error.value)


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        check_photo(upload("empty.jpg", b""))
    assert "文件是空的" in messages(error.value)


def test_at_most_three_photos_and_every_problem_is_reported():
    good = [upload(f"{i}.jpg", image_bytes()) for i in range(4)]
    with pytest.raises(ValidationError) as error:
        check_photos(good)
    assert "最多上传 3 张照片，您选择了 4 张。" in messages(error.value)
    with pytest.raises(ValidationError) as error:
        check_photos(
            [upload("a.jpg", ELF_BYTES), upload("b.jpg", image_bytes()), upload("c.jpg", PE_BYTES)]
        )
    assert len(error.value.messages) == 2
    assert "a.jpg" in messages(error.value) and "c.jpg" in messages(error.value)


def test_a_path_in_the_file_name_is_not_kept():
    photo = check_photo(upload("../../etc/passwd.jpg", image_bytes()))
    assert photo.original_name == "passwd.jpg"
