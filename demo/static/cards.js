// The one renderer of results, for every tab: the answers strip (each variant's answer where it is seen
// first, even on a phone), the picture the networks see, and one card per variant (heading, top classes,
// C1/C3 maps on one colour scale, the server's pictures). It draws a "view", made by demo/cards.py on the
// server or by draw.js in the page (the format is in demo/cards.py).
//
// A card is built once and then updated in place, so the page can redraw it on every frame of a stroke.

import { VIRIDIS, VIRIDIS_GRADIENT } from "./palette.js";
import { escape, say } from "./words.js";

const TOP_CLASSES = 3;
const INPUT_SCALE = 8; // the 32x32 input shown 256 px wide

export const label = (variant) => variant.classes[argmax(variant.probabilities)];
const argmax = (values) => values.reduce((best, value, i) => (value > values[best] ? i : best), 0);
const percent = (p) => `${Math.round(p * 100)}%`;
const levels = (data) => (typeof data === "string" ? Uint8Array.from(atob(data), (c) => c.charCodeAt(0)) : data);

// The label more variants give than any other; null without answers or on a tie.
export function consensus(labels) {
  const counts = new Map();
  for (const each of labels) counts.set(each, (counts.get(each) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (!ranked.length || (ranked.length > 1 && ranked[0][1] === ranked[1][1])) return null;
  return ranked[0][0];
}

function summary(answered) {
  if (!answered.length) return say("pick_a_model");
  if (answered.length === 1) return say("one_says", { model: answered[0].model, label: label(answered[0]) });
  const labels = answered.map(label);
  if (new Set(labels).size === 1) return say("all_agree", { count: answered.length, label: labels[0] });
  return say("disagree");
}

// Text changed only where it differs: an unchanged answer costs the page no layout.
function write(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

const message = (view) => view.message ?? say(view.message_key);
const answeredIn = (view) => (view.variants ?? []).filter((variant) => variant.probabilities);

// The answers strip: built when its variants or note change, else its words updated in place (the page
// redraws it every frame of a stroke).
export function renderAnswers(element, view) {
  if (!element) return;
  if (view.message !== undefined || view.message_key !== undefined) {
    element.innerHTML = `<div class="answers"><p>${message(view)}</p></div>`;
    delete element.dataset.layout;
    return;
  }
  const answered = answeredIn(view);
  const shape = JSON.stringify([answered.map((v) => v.model), view.note ?? ""]);
  if (element.dataset.layout !== shape) {
    const rows = answered.map((v) => `<li><span class="answer-model">${escape(v.model)}</span> <span class="prediction">`
      + `</span> <span class="answer-confidence"></span></li>`);
    const note = view.note ? `<div class="note">${view.note}</div>` : "";
    element.innerHTML = `<div class="answers"><p></p><ul>${rows.join("")}</ul>${note}</div>`;
    element.dataset.layout = shape;
  }
  const line = summary(answered), said = element.querySelector("p");
  if (said.innerHTML !== line) said.innerHTML = line;
  element.querySelectorAll("li").forEach((row, i) => {
    write(row.querySelector(".prediction"), label(answered[i]));
    write(row.querySelector(".answer-confidence"), percent(Math.max(...answered[i].probabilities)));
  });
}

// Pixels are written a word at a time: an opaque colour as the word whose bytes are R, G, B, A in memory.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const rgba = (r, g, b) => (LITTLE_ENDIAN ? (255 << 24) | (b << 16) | (g << 8) | r : (r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
const PALETTE = Uint32Array.from(VIRIDIS, ([r, g, b]) => rgba(r, g, b));
const TILE_GAP = 2; // CSS pixels between maps

// The canvas's pixels as words, its backing store made width x height (transparent) when it is not.
function pixels(canvas, width = canvas.width, height = canvas.height) {
  if (canvas.width !== width || canvas.height !== height || !canvas.words) {
    Object.assign(canvas, { width, height });
    canvas.image = canvas.getContext("2d").createImageData(width, height);
    canvas.words = new Uint32Array(canvas.image.data.buffer);
  }
  return canvas.words;
}

const show = (canvas) => canvas.getContext("2d").putImageData(canvas.image, 0, 0);

// C maps of H x W as tiles of px CSS pixels an activation, in as many columns as the width `room` holds (they
// wrap as text does), on one canvas: their `levels` (0-255, one per activation) through the colour map, the
// gaps transparent.
function paintMaps(canvas, { shape: [count, height, width], px, levels: data }, room) {
  const values = levels(data), tileWidth = width * px, tileHeight = height * px;
  const columns = Math.max(1, Math.min(count, Math.floor((room + TILE_GAP) / (tileWidth + TILE_GAP))));
  const across = columns * (tileWidth + TILE_GAP) - TILE_GAP;
  const words = pixels(canvas, across, Math.ceil(count / columns) * (tileHeight + TILE_GAP) - TILE_GAP);
  canvas.style.width = `${across}px`;
  for (let map = 0; map < count; map++) {
    const left = (map % columns) * (tileWidth + TILE_GAP), top = Math.floor(map / columns) * (tileHeight + TILE_GAP);
    for (let y = 0; y < tileHeight; y++) {
      const source = (map * height + Math.floor(y / px)) * width, row = (top + y) * across + left;
      for (let x = 0; x < tileWidth; x++) words[row + x] = PALETTE[values[source + Math.floor(x / px)]];
    }
  }
  show(canvas);
}

function paintSeen(canvas, { channels, side, levels: data }) {
  const values = levels(data), plane = side * side, [r, g, b] = channels === 3 ? [0, plane, 2 * plane] : [0, 0, 0];
  const words = pixels(canvas);
  for (let i = 0; i < plane; i++) words[i] = rgba(values[r + i], values[g + i], values[b + i]);
  show(canvas);
}

// While the pen moves, only what is in view is redrawn every frame (below a phone's first screen the cards would be
// redrawn unseen); the rest is drawn when it comes into view, or when the answer is final (`flush`).
const inView = new IntersectionObserver((entries) => {
  for (const { target, isIntersecting } of entries) {
    target.onScreen = isIntersecting;
    if (isIntersecting && target.pending) drawNow(target);
  }
});

function drawNow(node) {
  node.pending = false;
  node.draw();
}

function drawWhenSeen(node, draw, lazy) {
  node.draw = draw;
  node.pending = true;
  if (!lazy || node.onScreen !== false) drawNow(node);
}

// Draw what `renderCards(..., lazy)` left undrawn.
export function flush(element) {
  element?.querySelectorAll(".card, .seen").forEach((node) => node.pending && drawNow(node));
}

// How wide the maps may be in each card, kept up to date without reading the layout every frame.
const roomy = new ResizeObserver((entries) => {
  for (const { target, contentRect } of entries) {
    const card = target.closest(".card");
    if (card.room !== contentRect.width) {
      card.room = contentRect.width;
      if (card.draw) drawNow(card);
    }
  }
});

function whenInView(node, draw) {
  node.draw = draw;
  if (node.onScreen !== false) draw();
}

function mapsFigure({ caption_key: caption }) {
  return `<figure class="tiles"><canvas></canvas><figcaption>${say(caption)}</figcaption></figure>`;
}

// What the maps' colours mean (the markup of demo/render.py's maps_scale).
const mapsScale = () => `<figure class="maps-scale"><div class="legend"><div style="background:${VIRIDIS_GRADIENT}"></div>`
  + `<span>${say("lowest")}</span><span></span><span>${say("highest")}</span></div><figcaption>${say("maps_scale")}</figcaption></figure>`;

function cardSkeleton(variant) {
  const maps = (variant.maps ?? []).map(mapsFigure).join("") + (variant.maps?.length ? mapsScale() : "");
  const bars = Array.from({ length: Math.min(TOP_CLASSES, variant.classes?.length ?? TOP_CLASSES) }, () =>
    '<li><span class="top-label"></span><span class="top-bar"><span></span></span><span class="top-value"></span></li>');
  return `<div class="card" data-model="${escape(variant.model)}"><div class="card-heading"><h3>`
    + `${escape(variant.model)}: <span class="card-answer"></span> <span class="card-mark"></span></h3>`
    + `<p class="card-facts"></p></div><p class="card-problem"></p><div class="card-body"><ol class="top">${bars.join("")}</ol>`
    + `<div class="figures">${maps}</div><div class="card-pictures"></div></div></div>`;
}

function fillCard(card, variant, agreed) {
  const answered = Boolean(variant.probabilities);
  const mine = answered ? label(variant) : "";
  const mark = card.querySelector(".card-mark");
  mark.textContent = !answered || agreed === null ? "" : say(mine === agreed ? "like_most" : "unlike_most");
  mark.classList.toggle("unlike", answered && agreed !== null && mine !== agreed);
  card.querySelector(".card-answer").textContent = mine;
  card.querySelector(".card-facts").innerHTML = variant.facts ? say(variant.facts.key, variant.facts.values) : "";
  card.querySelector(".card-problem").textContent = variant.problem ?? "";
  card.querySelector(".card-body").hidden = !answered;
  if (!answered) return;
  const order = Array.from(variant.probabilities, (p, i) => [p, i]).sort((a, b) => b[0] - a[0]);
  card.querySelectorAll(".top li").forEach((row, rank) => {
    const [p, index] = order[rank];
    row.querySelector(".top-label").textContent = variant.classes[index];
    row.querySelector(".top-bar > span").style.width = `${(p * 100).toFixed(1)}%`;
    row.querySelector(".top-value").textContent = percent(p);
  });
  card.querySelectorAll(".tiles canvas").forEach((canvas, i) => paintMaps(canvas, variant.maps[i], card.room ?? Infinity));
  const pictures = card.querySelector(".card-pictures");
  if (pictures.innerHTML !== (variant.figures ?? "")) pictures.innerHTML = variant.figures ?? "";
}

// The shape of what is drawn: the cards are built anew only when it changes.
const layout = (view) => JSON.stringify([view.seen?.channels, Boolean(view.original), (view.variants ?? []).map((v) =>
  [v.model, v.classes?.length, (v.maps ?? []).map((m) => [m.shape, m.px, m.caption_key])])]);

// The cards of `view` into `element`; `lazy`: leave cards out of view to be drawn later (see `flush`).
export function renderCards(element, view, lazy = false) {
  const shape = layout(view);
  if (element.dataset.layout !== shape) {
    const original = view.original ? `<figure class="original"><img alt=""><figcaption>${say("your_image")}</figcaption></figure>` : "";
    const seen = view.seen ? `<figure class="seen"><canvas width="${view.seen.side}" height="${view.seen.side}" `
      + `style="width:${view.seen.side * INPUT_SCALE}px;max-width:100%;image-rendering:pixelated"></canvas>`
      + `<figcaption>${say("seen")}</figcaption></figure>` : "";
    element.querySelectorAll(".card, .seen").forEach((node) => inView.unobserve(node));
    element.innerHTML = `<div class="cards"><div class="inputs">${original}${seen}</div>`
      + `${(view.variants ?? []).map(cardSkeleton).join("")}</div>`;
    element.querySelectorAll(".card, .seen").forEach((node) => inView.observe(node));
    element.querySelectorAll(".card .figures").forEach((figures) => roomy.observe(figures));
    element.dataset.layout = shape;
  }
  const preview = element.querySelector(".original img");
  if (preview && preview.getAttribute("src") !== view.original) preview.src = view.original;
  if (view.seen) drawWhenSeen(element.querySelector(".seen"), () => paintSeen(element.querySelector(".seen canvas"), view.seen), lazy);
  const agreed = answeredIn(view).length > 1 ? consensus(answeredIn(view).map(label)) : null;
  element.querySelectorAll(".card").forEach((card, i) => drawWhenSeen(card, () => fillCard(card, view.variants[i], agreed), lazy));
}

// Where the answers strip and the cards of a panel go (demo/cards.py makes the two components).
export const answersSlot = (id) => document.querySelector(`#${id} .slot`);
export const cardsPanel = (id) => document.querySelector(`#${id} .panel`);

// A results component of the app (demo/cards.py): draws its value now and whenever it changes, the answers
// into the component props.answers_id.
export function mountPanel(element, props, watch) {
  const draw = () => {
    if (!props.value) return;
    renderAnswers(answersSlot(props.answers_id), props.value);
    renderCards(element.querySelector(".panel"), props.value);
  };
  draw();
  watch("value", draw);
}
