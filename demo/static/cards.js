// The one renderer of results, for every tab: the answers strip (each variant's answer where it is seen
// first, even on a phone), the picture the networks see, and one card per variant (heading, top classes,
// C1/C3 maps on one colour scale, the server's pictures). It draws a "view", made by demo/cards.py on the
// server or by draw.js in the page (the format is in demo/cards.py).
//
// A card is built once and then updated in place, so the page can redraw it on every frame of a stroke.

import { VIRIDIS } from "./palette.js";
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

const message = (view) => view.message ?? say(view.message_key);
const answeredIn = (view) => (view.variants ?? []).filter((variant) => variant.probabilities);

export function renderAnswers(element, view) {
  if (!element) return;
  if (view.message !== undefined || view.message_key !== undefined) {
    element.innerHTML = `<div class="answers"><p>${message(view)}</p></div>`;
    return;
  }
  const answered = answeredIn(view);
  const rows = answered.map((v) => `<li><span class="answer-model">${escape(v.model)}</span> <span class="prediction">`
    + `${escape(label(v))}</span> <span class="answer-confidence">${percent(Math.max(...v.probabilities))}</span></li>`);
  const note = view.note ? `<div class="note">${view.note}</div>` : "";
  element.innerHTML = `<div class="answers"><p>${summary(answered)}</p><ul>${rows.join("")}</ul>${note}</div>`;
}

// `levels` (0-255, one per activation) of C maps of H x W into C canvases, through the colour map.
function paintMaps(canvases, { shape: [count, height, width], levels: data }) {
  const values = levels(data);
  canvases.forEach((canvas, map) => {
    const context = canvas.getContext("2d");
    const image = context.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      const colour = VIRIDIS[values[map * width * height + i]];
      image.data.set(colour, 4 * i);
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  });
}

function paintSeen(canvas, { channels, side, levels: data }) {
  const values = levels(data), plane = side * side;
  const context = canvas.getContext("2d");
  const image = context.createImageData(side, side);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) image.data[4 * i + c] = values[(channels === 3 ? c : 0) * plane + i];
    image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

function mapsFigure({ shape: [count, height, width], px, caption_key: caption }) {
  const tiles = Array.from({ length: count }, () => `<canvas width="${width}" height="${height}" `
    + `style="width:${width * px}px;height:${height * px}px"></canvas>`);
  return `<figure class="tiles"><div>${tiles.join("")}</div><figcaption>${say(caption)}</figcaption></figure>`;
}

function cardSkeleton(variant) {
  const maps = (variant.maps ?? []).map(mapsFigure).join("");
  const bars = Array.from({ length: Math.min(TOP_CLASSES, variant.classes?.length ?? TOP_CLASSES) }, () =>
    '<li><span class="top-label"></span><span class="top-bar"><span></span></span><span class="top-value"></span></li>');
  return `<div class="card" data-model="${escape(variant.model)}"><div class="card-heading"><h3>`
    + `<span class="card-mark"></span>${escape(variant.model)}: <span class="card-answer"></span></h3>`
    + `<p class="card-facts"></p></div><p class="card-problem"></p><div class="card-body"><ol class="top">${bars.join("")}</ol>`
    + `<div class="figures">${maps}</div><div class="card-pictures"></div></div></div>`;
}

function fillCard(card, variant, agreed) {
  const answered = Boolean(variant.probabilities);
  const mine = answered ? label(variant) : "";
  card.querySelector(".card-mark").textContent = !answered || agreed === null ? ""
    : mine === agreed ? "✓ " : `✗ ${say("disagrees")}: `;
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
  card.querySelectorAll(".tiles").forEach((figure, i) => paintMaps(figure.querySelectorAll("canvas"), variant.maps[i]));
  const pictures = card.querySelector(".card-pictures");
  if (pictures.innerHTML !== (variant.figures ?? "")) pictures.innerHTML = variant.figures ?? "";
}

// The shape of what is drawn: the cards are built anew only when it changes.
const layout = (view) => JSON.stringify([view.seen?.channels, (view.variants ?? []).map((v) =>
  [v.model, v.classes?.length, (v.maps ?? []).map((m) => [m.shape, m.px, m.caption_key])])]);

export function renderCards(element, view) {
  const shape = layout(view);
  if (element.dataset.layout !== shape) {
    const seen = view.seen ? `<figure class="seen"><canvas width="${view.seen.side}" height="${view.seen.side}" `
      + `style="width:${view.seen.side * INPUT_SCALE}px;max-width:100%;image-rendering:pixelated"></canvas>`
      + `<figcaption>${say("seen")}</figcaption></figure>` : "";
    element.innerHTML = `<div class="cards">${seen}${(view.variants ?? []).map(cardSkeleton).join("")}</div>`;
    element.dataset.layout = shape;
  }
  if (view.seen) paintSeen(element.querySelector(".seen canvas"), view.seen);
  const agreed = answeredIn(view).length > 1 ? consensus(answeredIn(view).map(label)) : null;
  element.querySelectorAll(".card").forEach((card, i) => fillCard(card, view.variants[i], agreed));
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
