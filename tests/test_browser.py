"""A real browser: Debian's chromium, driven by Playwright, on a desktop and on a phone, in English and Korean."""
import re

import pytest
from playwright.sync_api import expect

from demo.examples import EXAMPLES_DIR, load_index
from demo.forms import form_address
from tools.browser import SKETCHPAD_READY, STROKES, draw
from train.publish import CHECKPOINTS_DIR

# One desktop session, step after step (Look inside explains the digit drawn before it; the Draw tab shows the
# model trained in the Train tab): the file runs whole. conftest skips it without chromium (fails it in CI).
pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}
ANSWER_TIMEOUT_MS = 15_000
TRAINING_TIMEOUT_MS = 120_000
DESKTOP = {"width": 1400, "height": 1100}
SHIPPED_MNIST = "lenet5-1998,lenet5,lenet5-modern"  # what the page runs itself, once their forms are loaded
SERVER_CALLS = "/gradio_api/"  # every request that asks the app to do something (queue, uploads, ...)


def open_app(browser, url, **options):
    page = browser.new_page(viewport=DESKTOP, locale="en-US", **options)
    page.goto(url)
    page.locator(SKETCHPAD_READY).wait_for()
    return page


@pytest.fixture(scope="module")
def page(browser, app_url):
    return open_app(browser, app_url)


def answers(page, tab="draw"):
    return page.locator(f"#{tab}-answers .answers")


def running_here(page, names=SHIPPED_MNIST):
    """Wait until the page runs ``names`` itself (their browser forms loaded and checked)."""
    expect(page.locator("#sketchpad [data-local]")).to_have_attribute("data-local", names, timeout=ANSWER_TIMEOUT_MS)


def server_calls(page) -> list[str]:
    """Every request to the app's API from now on, as it is sent."""
    calls: list[str] = []
    page.on("request", lambda request: calls.append(request.url) if SERVER_CALLS in request.url else None)
    return calls


def test_the_page_answers_a_drawing_itself_without_asking_the_server(browser, app_url):
    page = open_app(browser, app_url)
    running_here(page)
    calls = server_calls(page)
    draw(page, STROKES["7"])
    expect(answers(page).locator("p")).to_have_text(re.compile("agree: 7$"), timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#draw-cards .card")).to_have_count(3)
    assert calls == []
    page.get_by_label("lenet5-modern").uncheck()  # the page hears the choice too, still without asking
    expect(page.locator("#draw-cards .card")).to_have_count(2)
    assert calls == []
    page.close()


def test_with_server_1_the_server_answers_as_before(browser, app_url):
    page = open_app(browser, app_url + "?server=1")
    calls = server_calls(page)
    draw(page, STROKES["7"])
    expect(answers(page).locator("p")).to_have_text(re.compile("agree: 7$"), timeout=ANSWER_TIMEOUT_MS)
    assert any("/queue/join" in call for call in calls)
    expect(page.locator(SKETCHPAD_READY)).to_have_attribute("data-answers", "server")
    assert page.locator("#sketchpad [data-local]").count() == 0  # no form was even loaded
    page.close()


def test_a_form_that_fails_its_checksum_is_named_on_its_card_and_the_server_answers_for_it(browser, app_url):
    page = browser.new_page(viewport=DESKTOP, locale="en-US")
    weights = form_address(CHECKPOINTS_DIR / "mnist-lenet5").replace("browser.json", "browser.f32")

    def corrupted(route):
        body = bytearray(route.fetch().body())
        body[0] ^= 0xFF
        route.fulfill(body=bytes(body), content_type="application/octet-stream")

    page.route(f"**/{weights}", corrupted)
    page.goto(app_url)
    expect(page.locator(SKETCHPAD_READY)).to_have_attribute("data-answers", "page")
    running_here(page, "lenet5-1998,lenet5-modern")
    calls = server_calls(page)
    draw(page, STROKES["7"])
    expect(answers(page).locator("p")).to_have_text(re.compile("agree: 7$"), timeout=ANSWER_TIMEOUT_MS)
    card = page.locator('#draw-cards .card[data-model="lenet5"]')
    expect(card.locator(".card-problem")).to_have_text("This model could not be loaded into the page, so the server "
                                                       "answers for it.")
    expect(card.locator(".card-answer")).to_have_text("7")
    assert any("/queue/join" in call for call in calls)  # for lenet5 only: the others answered here
    page.close()


@pytest.mark.parametrize("digit", ["1", "7"])
def test_drawing_a_digit_shows_its_label_while_drawing_and_after(page, digit):
    page.locator("#sketchpad [data-action=clear]").click(force=True)  # disabled on an empty canvas: a no-op then
    expect(answers(page)).to_have_text("Draw a digit: the models answer as you draw.", timeout=ANSWER_TIMEOUT_MS)
    draw(page, STROKES[digit])
    expect(answers(page).locator("p")).to_have_text(re.compile(f"agree: {digit}$"), timeout=ANSWER_TIMEOUT_MS)
    predictions = answers(page).locator(".prediction")
    assert predictions.count() == 3 and predictions.all_inner_texts() == [digit] * 3


def test_undo_empties_the_canvas_and_brings_the_hint_back(page):
    page.locator("#sketchpad [data-action=undo]").click()
    expect(answers(page)).to_have_text("Draw a digit: the models answer as you draw.", timeout=ANSWER_TIMEOUT_MS)
    draw(page, STROKES["7"])
    expect(answers(page).locator("p")).to_have_text(re.compile("agree: 7$"), timeout=ANSWER_TIMEOUT_MS)


def test_look_inside_explains_the_last_drawing(page):
    page.get_by_role("tab", name="Look inside").click()
    page.get_by_text("Looking inside the").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert page.get_by_text("Saliency (SmoothGrad × input)").first.is_visible()
    assert page.get_by_text("Confidence in the upright answer").first.is_visible()
    page.get_by_role("tab", name="Draw").click()


def distorted(page) -> str:
    return page.locator("#inside-distorted img").get_attribute("src")


def stage_maps(page) -> str:
    return page.locator("#inside-maps").inner_html()


def test_look_inside_follows_typed_values_reset_and_a_new_drawing(page):
    page.get_by_role("tab", name="Look inside").click()
    page.get_by_text("Looking inside the").wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.locator("#inside-stages button.label-wrap").click()
    expect(page.locator("#inside-maps .tiles")).to_have_count(4, timeout=ANSWER_TIMEOUT_MS)
    upright, upright_maps = distorted(page), stage_maps(page)
    rotation = page.get_by_label("Rotation (degrees)").locator("visible=true").first
    rotation.fill("30")
    rotation.press("Enter")  # typed, not dragged
    expect(page.locator("#inside-distorted img")).not_to_have_attribute("src", upright, timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#inside-maps")).not_to_have_text("", timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_function("(old) => document.querySelector('#inside-maps').innerHTML !== old", arg=upright_maps,
                           timeout=ANSWER_TIMEOUT_MS)  # the stage explorer turned with it
    page.get_by_role("button", name="Reset distortions").click()
    expect(rotation).to_have_value("0", timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#inside-distorted img")).to_have_attribute("src", upright, timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_function("(old) => document.querySelector('#inside-maps').innerHTML === old", arg=upright_maps,
                           timeout=ANSWER_TIMEOUT_MS)
    page.get_by_role("tab", name="Draw").click()  # a new drawing: the stage explorer shows it, not the last one
    page.locator("#sketchpad [data-action=clear]").click()
    draw(page, STROKES["1"])
    expect(answers(page).locator("p")).to_have_text(re.compile("agree: 1$"), timeout=ANSWER_TIMEOUT_MS)
    page.get_by_role("tab", name="Look inside").click()
    page.wait_for_function("(old) => document.querySelector('#inside-maps').innerHTML !== old", arg=upright_maps,
                           timeout=ANSWER_TIMEOUT_MS)
    page.get_by_role("tab", name="Draw").click()


def test_clicking_a_real_test_image_classifies_it_and_removing_it_clears(page):
    page.get_by_role("tab", name="Upload").click()
    page.locator("#examples button:has(img)").first.click()  # the first MNIST test image, a 7
    expect(answers(page, "upload").locator("p")).to_have_text(re.compile("agree: 7$"), timeout=ANSWER_TIMEOUT_MS)
    page.locator('#upload button[aria-label="Clear"]').click()  # removing the upload clears the results
    expect(answers(page, "upload")).to_have_text("Upload an image.", timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#upload-results .card-answer")).to_have_count(0)
    page.get_by_role("tab", name="Draw").click()


def test_an_upload_picks_its_dataset_and_says_so(page):
    page.get_by_role("tab", name="Upload").click()
    photo = next(EXAMPLES_DIR / e["file"] for e in load_index() if e["dataset"] == "cifar10")
    page.locator("#upload input[type=file]").set_input_files(str(photo))
    expect(answers(page, "upload").locator(".note")).to_contain_text("It looks like CIFAR-10 objects", timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_label("CIFAR-10 objects")).to_be_checked()
    expect(page.locator("#upload-cards .original img")).to_be_visible()  # the upload itself, beside what the models see
    assert page.locator("#upload-cards .original img").evaluate("(img) => img.naturalWidth") > 0
    page.locator('#upload button[aria-label="Clear"]').click()
    page.get_by_role("tab", name="Draw").click()


@pytest.mark.data
def test_an_uploaded_digit_photo_shows_what_the_model_saw_and_why(page, tmp_path, data_dir):
    import numpy as np

    from bench.photos import condition
    from lenet.datasets import load_tensors

    images, labels = load_tensors("mnist", data_dir, train=False, limit=1)
    photo = tmp_path / "digit-on-a-table.jpg"
    photo.write_bytes(condition("dark_table")(images[0, 0].numpy(), np.random.default_rng(3)))
    page.get_by_role("tab", name="Upload").click()
    page.locator("#upload input[type=file]").set_input_files(str(photo))
    expect(answers(page, "upload").locator(".note")).to_contain_text("A photo: cleaned before the models saw it (",
                                                                      timeout=ANSWER_TIMEOUT_MS)
    expect(answers(page, "upload").locator(".note")).to_contain_text("page found on the table")
    expect(page.locator("#upload-cards .seen canvas")).to_be_visible()  # the 28x28 (in 32x32) the models saw
    expect(page.locator("#upload-cards .original img")).to_be_visible()
    expect(answers(page, "upload").locator("p")).to_contain_text(str(int(labels[0])))
    page.locator('#upload button[aria-label="Clear"]').click()
    page.get_by_role("tab", name="Draw").click()


def test_a_model_trained_in_the_train_tab_joins_the_draw_tab(page):
    page.get_by_role("tab", name="Train").click()
    page.locator("#train-start").click()
    expect(page.locator("#train-status")).to_contain_text("Done in", timeout=TRAINING_TIMEOUT_MS)
    page.get_by_role("tab", name="Draw").click()
    yours = page.locator("#draw-models label").last.inner_text()
    assert yours.startswith("yours: lenet5 tanh/avg Adam 0.001, 1 epoch")
    running_here(page, f"{SHIPPED_MNIST},{yours}")  # its browser form too: the page runs it beside the shipped ones
    page.locator("#sketchpad [data-action=clear]").click()
    calls = server_calls(page)
    draw(page, STROKES["7"])
    expect(answers(page).locator("li")).to_have_count(4, timeout=ANSWER_TIMEOUT_MS)
    expect(answers(page)).to_contain_text(yours)
    assert calls == []


def test_on_a_phone_the_answers_are_on_the_first_screen(browser, app_url):
    phone = browser.new_page(viewport=PHONE, has_touch=True, is_mobile=True, locale="en-US")
    phone.goto(app_url)
    phone.locator(SKETCHPAD_READY).wait_for()
    draw(phone, STROKES["7"])
    expect(answers(phone).locator("p")).to_have_text(re.compile("agree: 7$"), timeout=ANSWER_TIMEOUT_MS)
    seen = phone.evaluate("""() => {
      const inView = (node) => { const r = node.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth; };
      return {scrollY, summary: inView(document.querySelector('#draw-answers p')),
              answers: [...document.querySelectorAll('#draw-answers .prediction')].map(inView),
              sideways: document.documentElement.scrollWidth > innerWidth,
              intro: inView(document.querySelector('#intro p')),
              tabs: [...document.querySelectorAll('[role=tab]')].filter(inView).map((tab) => tab.textContent)};
    }""")
    assert seen == {"scrollY": 0, "summary": True, "answers": [True, True, True], "sideways": False, "intro": True,
                    "tabs": ["Draw", "Upload", "Look inside", "Train", "Models"]}  # none behind a "..." menu
    phone.get_by_role("tab", name="Upload").click()
    columns = phone.evaluate("getComputedStyle(document.querySelector('#examples .grid-container')).gridTemplateColumns")
    assert len(columns.split()) <= 5  # examples big enough to see and tap, not 10 in 324 px
    phone.close()


def test_a_korean_browser_gets_the_korean_page(browser, app_url):
    page = browser.new_page(locale="ko-KR", extra_http_headers={"Accept-Language": "ko-KR,ko"})
    page.goto(app_url)
    page.get_by_role("tab", name="그리기").wait_for()
    expect(answers(page)).to_contain_text("숫자를 그려 보세요", timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#sketchpad [data-action=clear]")).to_have_text("지우기")
    page.get_by_role("tab", name="업로드").click()
    expect(page.get_by_role("radio", name="Fashion-MNIST 옷").first).to_be_visible()  # choices are translated too
    page.close()
