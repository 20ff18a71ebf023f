"""A Korean reader's page: draw a digit, upload an example, open every tab, and find no English word on it but the
names on a short list (models, datasets, layers, optimisers, units). What the page shows is checked: visible text
and placeholders (screen readers also hear Gradio's and Vega's own English labels, which are not ours to change).
Code to copy (in <code>) is not words."""
import re

import pytest
from playwright.sync_api import expect

from tools.browser import SKETCHPAD_READY, STROKES, draw, open_tab

pytestmark = [pytest.mark.browser, pytest.mark.data, pytest.mark.slow]
ANSWER_TIMEOUT_MS = 15_000
SETTLE_MS = 1500
ALLOWED = {  # at most 40: names, not words
    "LeNet", "LeCun", "Lab", "lenet5", "lenet", "modern", "cifar", "MNIST", "Fashion", "CIFAR",  # models, datasets
    "C1", "S2", "C3", "S4", "C5", "F6", "RBF",  # layers
    "SGD", "Adam", "tanh", "ReLU", "avg", "max",  # optimisers, activations, pooling
    "ms", "B", "png", "CPU", "AMD", "EPYC", "SmoothGrad", "Grad", "CAM",  # units, files, machines, methods
    "API", "Gradio",  # Gradio's own footer, in Korean: "API를 통해 사용", "Gradio로 제작됨"
}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
VISIBLE_TEXT_JS = """() => {
  const seen = [];
  const visible = (node) => { const box = node.getBoundingClientRect(); const style = getComputedStyle(node);
    return box.width > 1 && box.height > 1 && style.visibility !== "hidden" && style.display !== "none"; };  // not sr-only
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !parent.closest("script, style, title, desc, code, pre") && visible(parent)) seen.push(node.textContent);
  }
  for (const element of document.querySelectorAll("[placeholder]")) if (visible(element)) seen.push(element.placeholder);
  return seen.join("\\n");
}"""


def english_words(page) -> set[str]:
    words = set()
    for word in LATIN_WORD.findall(page.evaluate(VISIBLE_TEXT_JS)):
        parts = [part for part in re.split(r"[-_.]", word) if part]
        words.update(part for part in parts if part not in ALLOWED and not part.isdigit() and not re.fullmatch(r"\d+[a-z]*", part))
    return words


@pytest.fixture(scope="module")
def korean(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="ko-KR",
                            extra_http_headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    page.goto(app_url)
    page.locator(SKETCHPAD_READY).wait_for()
    yield page
    page.close()


def test_the_allowlist_is_short():
    assert len(ALLOWED) <= 40


def test_a_korean_reader_meets_no_english_word(korean):
    seen: dict[str, set[str]] = {}
    draw(korean, STROKES["7"])
    expect(korean.locator("#draw-answers .prediction").first).to_have_text("7", timeout=ANSWER_TIMEOUT_MS)
    seen["그리기"] = english_words(korean)
    open_tab(korean, "업로드")
    korean.locator("#examples button:has(img)").nth(25).click()  # a Fashion-MNIST example
    expect(korean.locator("#upload-answers .prediction").first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    korean.wait_for_timeout(SETTLE_MS)
    seen["업로드"] = english_words(korean)
    for tab in ("속 들여다보기", "학습", "모델"):
        open_tab(korean, tab)
        korean.wait_for_timeout(SETTLE_MS)
        for opener in korean.locator("button.label-wrap").all():  # open every accordion of the tab
            if opener.is_visible():
                opener.click()
        korean.wait_for_timeout(SETTLE_MS)
        seen[tab] = english_words(korean)
    english = {tab: sorted(words) for tab, words in seen.items() if words}
    assert not english, "\n".join(f"{tab}: {' '.join(words)}" for tab, words in english.items())
