"""The bad-input suite, through the real HTTP API: each gets a clear answer and the server keeps serving."""
import io
import re
import struct
import zlib

import httpx
import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image, ImageDraw

from demo.app import MAX_UPLOAD
from demo.examples import EXAMPLES_DIR, load_index

HUGE_FIELD = 1_000_000  # characters
MAX_UPLOAD_BYTES = int(MAX_UPLOAD.removesuffix("mb")) * 1024 * 1024


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def digit_seven(size=280) -> Image.Image:
    image = Image.new("L", (size, size), 255)
    ImageDraw.Draw(image).line([(size * 0.2, size * 0.2), (size * 0.8, size * 0.2), (size * 0.45, size * 0.85)], fill=0, width=size // 12)
    return image


def encode(image: Image.Image, fmt: str, **kw) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kw)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR claiming a huge image, followed by almost no data: a decompression bomb's shape."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


SEVEN = digit_seven()
FILES_WITH_MESSAGE = {
    "empty file": (b"", "not an image we can read"),
    "truncated png": (encode(SEVEN, "PNG")[:200], "not an image we can read"),
    "text": (b"GIF89a? no, just text", "not an image we can read"),
    "50,000 x 50,000 png header": (png_header_only(50_000, 50_000), "too large"),
    "1x1 pixel": (encode(Image.new("L", (1, 1), 0), "PNG"), "empty"),
}
FILES_THAT_WORK = {
    "16-bit png": encode(Image.fromarray((np.asarray(SEVEN, dtype=np.uint16) * 257)), "PNG"),
    "cmyk jpeg": encode(SEVEN.convert("CMYK"), "JPEG", quality=95),
    "palette png": encode(SEVEN.convert("P"), "PNG"),
    "animated gif": encode(SEVEN.convert("P"), "GIF", save_all=True, append_images=[Image.new("P", SEVEN.size, 0)], duration=100),
    "10,000 x 10,000 png": encode(digit_seven(10_000), "PNG"),
}


def still_serving(client) -> None:
    example = EXAMPLES_DIR / load_index()[0]["file"]
    assert client.predict(handle_file(str(example)), "mnist", "lenet5-1998", api_name="/classify")["label"] == "7"


@pytest.mark.parametrize("name", FILES_WITH_MESSAGE)
def test_bad_files_get_a_clear_message(client, tmp_path, name):
    content, message = FILES_WITH_MESSAGE[name]
    path = tmp_path / "upload.png"
    path.write_bytes(content)
    with pytest.raises(Exception, match=message):
        client.predict(handle_file(str(path)), "mnist", "lenet5-1998", api_name="/classify")
    still_serving(client)


@pytest.mark.parametrize("name", FILES_THAT_WORK)
def test_unusual_formats_are_classified_correctly(client, tmp_path, name):
    path = tmp_path / "upload.img"
    path.write_bytes(FILES_THAT_WORK[name])
    assert client.predict(handle_file(str(path)), "mnist", "lenet5-1998", api_name="/classify")["label"] == "7"


@pytest.mark.parametrize("dataset,model,message", [
    ("x" * HUGE_FIELD, "lenet5-1998", "unknown dataset"),
    ("mnist", "y" * HUGE_FIELD, "unknown mnist model 'yyy"),
    ("imagenet", "lenet5-1998", "unknown dataset 'imagenet'"),
])
def test_unknown_or_enormous_names_get_a_clear_message(client, tmp_path, dataset, model, message):
    path = tmp_path / "seven.png"
    SEVEN.save(path)
    with pytest.raises(Exception, match=message):
        client.predict(handle_file(str(path)), dataset, model, api_name="/classify")
    still_serving(client)


@pytest.mark.parametrize("dataset", ["mnist", "fashion-mnist"])
def test_a_blank_upload_is_called_blank_not_a_prompt_to_draw(client, tmp_path, dataset):
    path = tmp_path / "blank.png"
    Image.new("L", (100, 100), 255).save(path)
    assert client.predict(handle_file(str(path)), dataset, [], api_name="/compare") == {"message": "The image is blank."}


PATH_OR_CLASS_NAME = re.compile(r"/tmp/|/work/|[A-Z][a-z]+(Error|Exception)\b|Traceback")  # never in what people see


@pytest.mark.parametrize("name", FILES_WITH_MESSAGE)
def test_the_upload_tab_says_what_is_wrong_without_paths_or_exception_names(client, tmp_path, name):
    path = tmp_path / "upload.png"
    path.write_bytes(FILES_WITH_MESSAGE[name][0])
    shown = client.predict(handle_file(str(path)), "mnist", [], api_name="/compare")
    assert list(shown) == ["message"] and ("Cannot classify this image" in shown["message"] or "blank" in shown["message"])
    assert not PATH_OR_CLASS_NAME.search(shown["message"]), shown


@pytest.mark.parametrize("name, reason", [("truncated png", "읽을 수 있는 이미지 파일이 아닙니다"),
                                          ("50,000 x 50,000 png header", "이미지가 너무 큽니다")])
def test_a_korean_page_says_what_is_wrong_in_korean(app_url, tmp_path, name, reason):
    path = tmp_path / "upload.png"
    path.write_bytes(FILES_WITH_MESSAGE[name][0])
    korean = Client(app_url, verbose=False, headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    message = korean.predict(handle_file(str(path)), "mnist", [], api_name="/compare")["message"]
    assert "이 이미지는 분류할 수 없습니다" in message and reason in message


def test_an_upload_over_the_size_limit_is_refused_with_a_clear_message(app_url):
    too_big = b"\x89PNG" + b"\x00" * (MAX_UPLOAD_BYTES + 1)
    response = httpx.post(f"{app_url}gradio_api/upload", files={"files": ("big.png", too_big, "image/png")}, timeout=60)
    assert response.status_code == 413
    assert f"maximum allowed size of {MAX_UPLOAD_BYTES} bytes" in response.text and not PATH_OR_CLASS_NAME.search(response.text)


def test_removing_the_upload_clears_the_results(client, tmp_path):
    path = tmp_path / "seven.png"
    SEVEN.save(path)
    shown = client.predict(handle_file(str(path)), "mnist", [], api_name="/compare")
    assert shown["seen"] and len(shown["variants"]) == 3
    assert client.predict(None, "mnist", [], api_name="/compare") == {"message": "Upload an image."}  # what the File's clear sends
