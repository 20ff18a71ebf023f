// The Draw tab's brain: on every animation frame while the pen moves, and when it lifts, the page reads the
// drawing (recipe.js), runs each chosen variant (runtime.js) and draws the answers (cards.js), without asking
// the server. The server answers only for variants the page cannot run: every one with ?server=1 or without
// WebAssembly, one whose browser form failed to load or its checksum (the card says so), or one still loading.
// Then the drawing is sent as the component's value with the "ask" event, and the server's view comes back as
// props.remote.

import { answersSlot, cardsPanel, flush, renderAnswers, renderCards } from "./cards.js";
import { prepareSketch, MODEL_SIDE } from "./recipe.js";
import { FormError, loadModel } from "./runtime.js";
import { Sketch } from "./sketch.js";
import { say } from "./words.js";

const SERVER_SWITCH = "server"; // ?server=1: the server answers for every variant, as the page did before
const MAP_STAGES = [["c1", "c1_maps"], ["c3", "c3_maps"]];
const FLAT_RANGE = 1e-8; // a constant map is drawn all low instead of dividing by zero
const LEVELS = 255;

// Activations as 0-255 levels on one scale for the whole stage, as demo/cards.py levels them.
function levels(values) {
  let low = Infinity, high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < low) low = values[i];
    if (values[i] > high) high = values[i];
  }
  const scale = LEVELS / Math.max(high - low, FLAT_RANGE), out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round((values[i] - low) * scale);
  return out;
}

class Brain {
  constructor(element, props, trigger, watch) {
    Object.assign(this, { props, trigger, models: new Map(), remote: null, frame: null, lastAsked: -Infinity, timer: null });
    this.serverOnly = props.server_only || new URLSearchParams(location.search).has(SERVER_SWITCH)
      || typeof WebAssembly !== "object"; // runtime.js convolves in WebAssembly
    this.chosen = props.chosen;
    this.element = element;
    this.sketch = new Sketch(element, {
      side: props.canvas_side, brushWidth: props.brush_width, pictureSide: props.picture_side,
      words: Object.fromEntries(Object.entries(props.canvas_words).map(([word, key]) => [word, say(key)])),
    }, (final) => (final ? this.settle() : this.schedule()));
    document.addEventListener(props.models_event, (event) => { this.chosen = event.detail; this.think(false); });
    watch("models", () => this.load());
    watch("remote", () => { this.remote = props.remote; this.think(false, false); });
    element.dataset.answers = this.serverOnly ? "server" : "page"; // the canvas listens from now on
    this.load();
  }

  // Start loading the browser form of every variant in the catalogue not loaded yet.
  load() {
    if (this.serverOnly) return;
    const loads = this.props.models.filter((entry) => !this.models.has(entry.name)).map(async (entry) => {
      this.models.set(entry.name, { loading: true });
      try {
        if (!entry.form) throw new FormError("no browser form");
        this.models.set(entry.name, { model: await loadModel(new URL(entry.form, document.baseURI)) });
      } catch (error) {
        console.warn(`${entry.name}: the server answers for it`, error);
        this.models.set(entry.name, { problem: say("form_failed") });
      }
    });
    Promise.all(loads).then(() => {
      this.element.dataset.local = [...this.models].filter(([, state]) => state.model).map(([name]) => name).join(",");
      this.think(false);
    });
  }

  schedule() {
    if (this.frame === null) this.frame = requestAnimationFrame(() => { this.frame = null; this.think(false); });
  }

  // The pen lifted, or Undo or Clear: the answer to this drawing is final (and already shown if nothing
  // changed since the last frame's).
  settle() {
    cancelAnimationFrame(this.frame);
    this.frame = null;
    this.think(true, true, this.shown !== this.sketch.version);
  }

  // The chosen variants in the catalogue's order, each answered here or by the server. `final`: the drawing
  // changed for good (pen-up, Undo, Clear), so it becomes the component's value (what Look inside reads).
  think(final, ask = true, changed = true) {
    const chosen = this.props.models.filter((entry) => this.chosen.includes(entry.name));
    const remote = new Set(chosen.filter((entry) => !this.models.get(entry.name)?.model).map((entry) => entry.name));
    if (ask && (this.serverOnly || (remote.size && !this.sketch.empty))) this.askSoon(final);
    else if (final) setTimeout(() => { this.props.value = this.drawing(); }); // after the answer is on screen
    const view = changed ? this.view(chosen, remote, !ask) : null;
    if (view) this.show(view, !final);
    else if (final) flush(cardsPanel(this.props.cards_id));
  }

  // What to show now; null when nothing new is known (the server has yet to answer for the drawing as it is).
  view(chosen, remote, answered) {
    if (!chosen.length) return { variants: [] };
    if (this.sketch.empty) return { message_key: this.props.hint };
    if (remote.size === chosen.length && !answered) return null;
    const pixels = this.serverOnly ? null : prepareSketch(this.sketch.picture());
    if (!this.serverOnly && pixels === null) return { message_key: this.props.hint };
    if (remote.size === chosen.length && this.remote?.variants === undefined && this.remote) return this.remote; // why not
    const fromServer = new Map((this.remote?.variants ?? []).map((variant) => [variant.model, variant]));
    const variants = chosen.map((entry) => {
      const state = this.models.get(entry.name);
      if (state?.model) return this.run(entry, state.model, pixels);
      return { model: entry.name, ...fromServer.get(entry.name), problem: state?.problem };
    });
    if (!variants.some((variant) => variant.probabilities || variant.problem)) return null;
    const seen = pixels ? { channels: 1, side: MODEL_SIDE, levels: Uint8Array.from(pixels, (p) => Math.round(p * LEVELS)) }
      : this.remote?.seen;
    return { seen, variants };
  }

  run(entry, model, pixels) {
    const start = performance.now();
    const { probabilities, stages } = model.run(pixels, MAP_STAGES.map(([stage]) => stage));
    const ms = performance.now() - start;
    const maps = MAP_STAGES.map(([stage, caption], i) => ({
      shape: stages[stage].shape, px: this.props.map_px[i], caption_key: caption, levels: levels(stages[stage].data),
    }));
    return { model: entry.name, classes: model.classes, probabilities, maps,
             facts: { key: "card_facts", values: { accuracy: entry.accuracy, params: entry.params, ms } } };
  }

  // Send the drawing to the server: at once when final, else at most every send_interval_ms.
  askSoon(final) {
    clearTimeout(this.timer);
    const wait = final ? 0 : this.props.send_interval_ms - (performance.now() - this.lastAsked);
    const ask = () => {
      this.lastAsked = performance.now();
      this.props.value = this.drawing();
      this.trigger("ask");
    };
    if (wait <= 0) ask();
    else this.timer = setTimeout(ask, wait);
  }

  // The drawing as the server reads it: a PNG data URL, or "" for an empty canvas.
  drawing() {
    return this.sketch.empty ? "" : this.sketch.dataUrl();
  }

  // `lazy`: the pen is still moving, so cards out of view can wait (cards.js).
  show(view, lazy) {
    this.shown = this.sketch.version;
    const answers = answersSlot(this.props.answers_id);
    renderAnswers(answers, view);
    if (answers) answers.dataset.drawing = this.shown; // which drawing the answer on screen is for
    const cards = cardsPanel(this.props.cards_id);
    if (cards) renderCards(cards, view, lazy);
  }
}

export function mount(element, props, trigger, watch) {
  return new Brain(element, props, trigger, watch);
}
