// The drawing surface of demo/sketch.py. gr.HTML runs this file as the body of
// js_on_load(element, trigger, props, ...); the numbers come from Python as props.
//
// Strokes are kept as lists of points in a canvas_side x canvas_side logical space, so the
// screen can be repainted at any size (resizes, Undo) and the picture sent to Python is
// rendered directly at sent_side, a few kB of PNG instead of a full-size canvas.
// Setting props.value makes gr.HTML fire its "change" event with the new picture.

const side = props.canvas_side;
// The words, in the browser's language when the app speaks it.
const words = props.texts[navigator.language.slice(0, 2)] ?? props.texts.en;
for (const node of element.querySelectorAll("[data-text]")) node.textContent = words[node.dataset.text];
const canvas = element.querySelector("canvas");
canvas.setAttribute("aria-label", words.label);
const screen = canvas.getContext("2d");
const undoButton = element.querySelector("[data-action=undo]");
const clearButton = element.querySelector("[data-action=clear]");
const small = document.createElement("canvas");
small.width = small.height = props.sent_side;
const smallContext = small.getContext("2d");

const strokes = []; // each a list of [x, y] in logical units; the last may be in progress
let pointer = null; // the id of the pointer drawing now
let lastSent = -Infinity;
let timer = null;

function setUp(context, scale) {
  context.setTransform(scale, 0, 0, scale, 0, 0);
  context.lineCap = context.lineJoin = "round";
  context.lineWidth = props.brush_width;
  context.strokeStyle = context.fillStyle = "#000";
}

// A stroke's newest part: a dot for its first point, then a segment from the point before.
function drawTip(context, stroke) {
  const [x, y] = stroke[stroke.length - 1];
  context.beginPath();
  if (stroke.length === 1) {
    context.arc(x, y, props.brush_width / 2, 0, 2 * Math.PI);
    context.fill();
  } else {
    context.moveTo(...stroke[stroke.length - 2]);
    context.lineTo(x, y);
    context.stroke();
  }
}

function drawStroke(context, stroke) {
  if (stroke.length === 1) {
    drawTip(context, stroke);
    return;
  }
  context.beginPath();
  context.moveTo(...stroke[0]);
  for (const point of stroke.slice(1)) context.lineTo(...point);
  context.stroke();
}

function paint(context, scale) {
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.fillStyle = "#fff";
  context.fillRect(0, 0, context.canvas.width, context.canvas.height);
  setUp(context, scale);
  for (const stroke of strokes) drawStroke(context, stroke);
}

function repaint() {
  paint(screen, canvas.width / side);
  undoButton.disabled = clearButton.disabled = strokes.length === 0;
}

function send() {
  clearTimeout(timer);
  timer = null;
  lastSent = performance.now();
  if (strokes.length === 0) {
    props.value = "";
    return;
  }
  paint(smallContext, props.sent_side / side);
  props.value = small.toDataURL("image/png");
}

function sendSoon() {
  if (timer !== null) return;
  const wait = props.send_interval_ms - (performance.now() - lastSent);
  if (wait <= 0) send();
  else timer = setTimeout(send, wait);
}

// A pointer's position in logical units, measured from the drawing area inside the border.
function logical(event) {
  const box = canvas.getBoundingClientRect();
  const scale = side / canvas.clientWidth;
  return [(event.clientX - box.left - canvas.clientLeft) * scale, (event.clientY - box.top - canvas.clientTop) * scale];
}

function endStroke(event) {
  if (event.pointerId !== pointer) return;
  pointer = null;
  send();
}

canvas.addEventListener("pointerdown", (event) => {
  if (pointer !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
  event.preventDefault();
  pointer = event.pointerId;
  canvas.setPointerCapture(pointer);
  strokes.push([logical(event)]);
  drawTip(screen, strokes[strokes.length - 1]);
  undoButton.disabled = clearButton.disabled = false;
});

canvas.addEventListener("pointermove", (event) => {
  if (event.pointerId !== pointer) return;
  const stroke = strokes[strokes.length - 1];
  for (const each of event.getCoalescedEvents?.() ?? [event]) {
    stroke.push(logical(each));
    drawTip(screen, stroke);
  }
  sendSoon();
});

canvas.addEventListener("pointerup", endStroke);
canvas.addEventListener("pointercancel", endStroke);

undoButton.addEventListener("click", () => {
  pointer = null;
  strokes.pop();
  repaint();
  send();
});

clearButton.addEventListener("click", () => {
  pointer = null;
  strokes.length = 0;
  repaint();
  send();
});

repaint();

// Match the backing store to the displayed size (times the pixel ratio) so that ink stays sharp.
new ResizeObserver(() => {
  const pixels = Math.round(canvas.clientWidth * window.devicePixelRatio);
  if (pixels > 0 && pixels !== canvas.width) {
    canvas.width = canvas.height = pixels;
    repaint();
  }
}).observe(canvas);
