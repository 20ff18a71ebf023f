"""The page's own JavaScript (demo/static) in a real browser, held to the Python it stands in for.

- runtime.js: every shipped model's browser form computes what PyTorch computes, image for image;
- recipe.js: the drawing becomes the same 32x32 as lenet.preprocess.prepare_sketch makes of it;
- cards.js and words.js: the renderer's own logic (consensus marks, summaries, the string table's formats).
"""
import base64
import hashlib
import json
import shutil

import numpy as np
import pytest
import torch

import lenet
from demo.forms import form_address
from demo.scripts import scripts_address
from lenet.browser_form import FORM_WEIGHTS_NAME
from lenet.checkpoint import read_manifest
from lenet.preprocess import dataset_pixels, prepare_sketch
from tools.browser import SKETCHPAD_READY
from tools.sketches import SKETCH_OPTIONS, SKETCHES_JSON
from train.publish import CHECKPOINTS_DIR

pytestmark = [pytest.mark.browser]
PARITY_IMAGES = 1000  # test images per shipped model
BATCH = 50  # images per round trip to the page
PROBABILITY_TOLERANCE = MAP_TOLERANCE = 1e-4
PIXEL_TOLERANCE = 1 / 255
SHIPPED = [CHECKPOINTS_DIR / entry["file"] for entry in read_manifest(CHECKPOINTS_DIR)]
SKETCHES = json.loads(SKETCHES_JSON.read_text())

# Run a loaded model on a batch of uint8 images (base64, N x C x 32 x 32); return the probabilities and the
# C1/C3 maps as float32 base64, so that a thousand images' maps cross to Python quickly.
RUN_JS = """async ([images, count]) => {
  const model = window.__model;
  const bytes = Uint8Array.from(atob(images), (c) => c.charCodeAt(0));
  const size = bytes.length / count, probabilities = [], maps = {c1: [], c3: []};
  for (let i = 0; i < count; i++) {
    const result = model.run(Float32Array.from(bytes.subarray(i * size, (i + 1) * size), (v) => v / 255));
    probabilities.push(Array.from(result.probabilities));
    for (const stage of ["c1", "c3"]) maps[stage].push(...result.stages[stage].data);
  }
  const pack = (values) => {
    const raw = new Uint8Array(Float32Array.from(values).buffer);
    let text = "";
    for (let i = 0; i < raw.length; i += 0x8000) text += String.fromCharCode(...raw.subarray(i, i + 0x8000));
    return btoa(text);
  };
  return {probabilities, c1: pack(maps.c1), c3: pack(maps.c3)};
}"""


def script(name: str) -> str:
    return f'await import(new URL("{scripts_address()}{name}", document.baseURI))'


@pytest.fixture(scope="module")
def page(browser, app_url):
    page = browser.new_page(locale="en-US")
    page.goto(app_url)
    page.locator(SKETCHPAD_READY).wait_for()
    yield page
    page.close()


def unpack(data: str, shape: tuple[int, ...]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(data), dtype="<f4").reshape(shape)


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize("weights", SHIPPED, ids=[path.parent.name for path in SHIPPED])
def test_the_page_computes_what_pytorch_computes(page, weights):
    """Same top-1 on every image; probabilities and C1/C3 maps within 1e-4."""
    predictor = lenet.from_pretrained(weights.parent)
    images, _ = lenet.load_tensors(predictor.meta["dataset"], train=False, limit=PARITY_IMAGES)
    padded = (dataset_pixels(images) * 255).round().to(torch.uint8)  # exactly the images, padded to 32
    with torch.inference_mode():
        stages = lenet.model_stages(predictor.model, predictor.normalize(dataset_pixels(images)))
    expected = {"probabilities": stages["output"].softmax(1).numpy(), "c1": stages["c1"].numpy(), "c3": stages["c3"].numpy()}
    page.evaluate(f"async (form) => {{ window.__model = await ({script('runtime.js')}).loadModel("
                  f"new URL(form, document.baseURI)); }}", form_address(weights.parent))
    for start in range(0, len(images), BATCH):
        batch = padded[start:start + BATCH]
        got = page.evaluate(RUN_JS, [base64.b64encode(batch.numpy().tobytes()).decode(), len(batch)])
        probabilities = np.array(got["probabilities"])
        want = expected["probabilities"][start:start + BATCH]
        assert (probabilities.argmax(1) == want.argmax(1)).all()
        assert np.abs(probabilities - want).max() <= PROBABILITY_TOLERANCE
        for stage in ("c1", "c3"):
            want = expected[stage][start:start + BATCH]
            assert np.abs(unpack(got[stage], want.shape) - want).max() <= MAP_TOLERANCE, stage


# Each fixture's strokes on the page's own canvas (sketch.js), read by recipe.js; and the PNG the server would get.
SKETCH_JS = """async ([options, strokes]) => {
  const { Sketch } = SKETCH_MODULE;
  const { prepareSketch } = RECIPE_MODULE;
  const surface = document.createElement("div");
  surface.innerHTML = '<canvas></canvas><button data-action="undo"></button><button data-action="clear"></button>';
  const sketch = new Sketch(surface, options, () => {});
  return strokes.map((each) => {
    sketch.strokes = each;
    return {pixels: Array.from(prepareSketch(sketch.picture())), png: sketch.dataUrl()};
  });
}"""


def test_the_page_reads_a_drawing_as_the_server_does(page):
    """On the shared sketch fixtures (tools/sketches.py), within 1/255 per pixel."""
    js = SKETCH_JS.replace("SKETCH_MODULE", script("sketch.js")).replace("RECIPE_MODULE", script("recipe.js"))
    read = page.evaluate(js, [SKETCH_OPTIONS, [sketch["strokes"] for sketch in SKETCHES]])
    for sketch, here in zip(SKETCHES, read):
        server = prepare_sketch(base64.b64decode(here["png"].split(",", 1)[1]))[0, 0].numpy()
        page_pixels = np.array(here["pixels"]).reshape(server.shape)
        assert np.abs(page_pixels - server).max() <= PIXEL_TOLERANCE, sketch["file"]
        assert server.max() > 0  # a drawing, not a blank


def test_an_empty_canvas_reads_as_nothing(page):
    blank = page.evaluate(f"""async () => ({script('recipe.js')}).prepareSketch(
        {{data: new Uint8ClampedArray(112 * 112 * 4).fill(255), width: 112, height: 112}})""")
    assert blank is None


def test_the_convolution_kernel_is_built_from_its_source():
    """conv.wasm is what conv.c compiles to (python -m tools.wasm), byte for byte."""
    from tools.wasm import TARGET, rebuilt

    if shutil.which("clang") is None or shutil.which("wasm-ld") is None:
        pytest.skip("clang and lld build conv.wasm: apt-get install -y clang lld (.ci/run does)")
    assert rebuilt() == TARGET.read_bytes()


def test_the_checksum_is_sha256(page):
    data = bytes(range(256)) * 300 + b"tail"
    digest = page.evaluate(f"""async (text) => ({script('sha256.js')}).sha256(
        Uint8Array.from(atob(text), (c) => c.charCodeAt(0)).buffer)""", base64.b64encode(data).decode())
    assert digest == hashlib.sha256(data).hexdigest()


def test_weights_that_fail_their_checksum_are_refused(page, tmp_path):
    """A corrupted download never answers: the page says so on the card and asks the server (test_browser.py)."""
    folder = tmp_path / "tampered"
    folder.mkdir()
    source = SHIPPED[0].parent
    for file in source.glob("browser.*"):
        (folder / file.name).write_bytes(file.read_bytes())
    weights = bytearray((folder / FORM_WEIGHTS_NAME).read_bytes())
    weights[100] ^= 0xFF
    (folder / FORM_WEIGHTS_NAME).write_bytes(bytes(weights))
    refused = page.evaluate(f"""async (form) => {{
        try {{ await ({script('runtime.js')}).loadModel(new URL(form, document.baseURI)); return null; }}
        catch (error) {{ return error.message; }} }}""", form_address(folder))
    assert refused is not None and "checksum" in refused


def cards_js(page, call: str, *args):
    return page.evaluate(f"async (args) => ({script('cards.js')}).{call}", list(args))


def test_the_majority_answer_is_marked_and_a_tie_has_none(page):
    assert cards_js(page, "consensus(args[0])", ["7", "7", "1"]) == "7"
    assert cards_js(page, "consensus(args[0])", ["7", "1"]) is None
    assert cards_js(page, "consensus(args[0])", []) is None


def test_the_answers_strip_and_cards_say_what_the_variants_say(page):
    digits = [str(d) for d in range(10)]

    def variant(model, answer):
        probabilities = [0.9 if d == answer else 0.1 / 9 for d in digits]
        return {"model": model, "classes": digits, "probabilities": probabilities,
                "facts": {"key": "card_facts", "values": {"accuracy": 0.9921, "params": 61706, "ms": 1.27}}}

    view = {"variants": [variant("a", "7"), variant("b", "7"), variant("c", "1")], "note": "<i>note</i>"}
    shown = page.evaluate(f"""async (view) => {{
        const cards = {script('cards.js')};
        const strip = document.createElement("div"), panel = document.createElement("div");
        cards.renderAnswers(strip, view);
        cards.renderCards(panel, view);
        return {{strip: strip.innerText, marks: [...panel.querySelectorAll(".card-mark")].map((m) => m.textContent),
                 facts: panel.querySelector(".card-facts").textContent,
                 top: [...panel.querySelectorAll(".card")[2].querySelectorAll(".top-label")].map((l) => l.textContent)}};
    }}""", view)
    assert shown["strip"].startswith("The models disagree:") and "note" in shown["strip"]
    assert shown["marks"] == ["same as most", "same as most", "unlike most"]  # words, not a tick read as "correct"
    assert shown["facts"] == "test accuracy 99.21% · 61,706 parameters · 1.3 ms"
    assert shown["top"][0] == "1"


def test_a_card_keeps_class_names_whole_and_says_what_its_colours_mean(page):
    classes = ["airplane", "automobile", "bird"]
    maps = [{"shape": [6, 28, 28], "px": 3, "caption_key": "c1_maps", "levels": "A" * 6272}]  # base64 zeros
    view = {"variants": [{"model": "lenet5", "classes": classes, "probabilities": [0.2, 0.7, 0.1], "maps": maps}]}
    shown = page.evaluate(f"""async (view) => {{
        const cards = {script('cards.js')};
        const panel = document.createElement("div");
        panel.className = "results";
        panel.style.width = "340px";  // a phone's card
        document.querySelector(".gradio-container").append(panel);
        cards.renderCards(panel, view);
        const label = panel.querySelector(".top-label");
        const range = document.createRange();
        range.selectNodeContents(label);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size, text = label.textContent;
        const scale = panel.querySelector(".maps-scale").innerText;
        panel.remove();
        return {{lines, text, scale}};
    }}""", view)
    assert shown["text"] == "automobile" and shown["lines"] == 1  # not "automobi" above "le"
    assert "lowest" in shown["scale"] and "highest" in shown["scale"] and "one scale per layer" in shown["scale"]
