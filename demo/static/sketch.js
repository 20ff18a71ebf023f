// The Draw tab's drawing surface (demo/sketch.py puts it in the page). Strokes are kept as lists of points in
// a side x side logical space, so the screen can be repainted at any size (resizes, Undo) and the picture the
// models read is rendered directly at a small size. `onChange(final)` hears of every change: while the pen
// moves (final false), and when a stroke ends or Undo or Clear changes the drawing (final true); `version`
// counts the changes to the drawing.

const MAX_PIXEL_RATIO = 2; // sharper ink than that is not seen, and the browser copies the canvas every frame

export class Sketch {
  constructor(element, { side, brushWidth, pictureSide, words }, onChange) {
    Object.assign(this, { side, brushWidth, onChange, strokes: [], pointer: null, version: 0 });
    for (const node of element.querySelectorAll("[data-text]")) node.textContent = words[node.dataset.text];
    this.canvas = element.querySelector("canvas");
    this.canvas.setAttribute("aria-label", words.label);
    this.screen = this.canvas.getContext("2d");
    this.undoButton = element.querySelector("[data-action=undo]");
    this.clearButton = element.querySelector("[data-action=clear]");
    this.small = document.createElement("canvas");
    this.small.width = this.small.height = pictureSide;
    this.smallContext = this.small.getContext("2d", { willReadFrequently: true });
    this.listen();
    this.repaint();
    // Match the backing store to the displayed size (times the pixel ratio, up to MAX_PIXEL_RATIO) so that ink
    // stays sharp.
    new ResizeObserver(() => {
      const pixels = Math.round(this.canvas.clientWidth * Math.min(window.devicePixelRatio, MAX_PIXEL_RATIO));
      if (pixels > 0 && pixels !== this.canvas.width) {
        this.canvas.width = this.canvas.height = pixels;
        this.repaint();
      }
    }).observe(this.canvas);
  }

  get empty() {
    return this.strokes.length === 0;
  }

  // The drawing rendered at pictureSide: what the models read (an ImageData), or as a PNG data URL.
  picture() {
    this.paint(this.smallContext, this.small.width / this.side);
    return this.smallContext.getImageData(0, 0, this.small.width, this.small.height);
  }

  dataUrl() {
    this.paint(this.smallContext, this.small.width / this.side);
    return this.small.toDataURL("image/png");
  }

  setUp(context, scale) {
    context.setTransform(scale, 0, 0, scale, 0, 0);
    context.lineCap = context.lineJoin = "round";
    context.lineWidth = this.brushWidth;
    context.strokeStyle = context.fillStyle = "#000";
  }

  // A stroke's newest part: a dot for its first point, then a segment from the point before.
  drawTip(context, stroke) {
    const [x, y] = stroke[stroke.length - 1];
    context.beginPath();
    if (stroke.length === 1) {
      context.arc(x, y, this.brushWidth / 2, 0, 2 * Math.PI);
      context.fill();
    } else {
      context.moveTo(...stroke[stroke.length - 2]);
      context.lineTo(x, y);
      context.stroke();
    }
  }

  drawStroke(context, stroke) {
    if (stroke.length === 1) {
      this.drawTip(context, stroke);
      return;
    }
    context.beginPath();
    context.moveTo(...stroke[0]);
    for (const point of stroke.slice(1)) context.lineTo(...point);
    context.stroke();
  }

  paint(context, scale) {
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = "#fff";
    context.fillRect(0, 0, context.canvas.width, context.canvas.height);
    this.setUp(context, scale);
    for (const stroke of this.strokes) this.drawStroke(context, stroke);
  }

  repaint() {
    this.paint(this.screen, this.canvas.width / this.side);
    this.undoButton.disabled = this.clearButton.disabled = this.empty;
  }

  // A pointer's position in logical units, measured from the drawing area inside the border.
  logical(event) {
    const box = this.canvas.getBoundingClientRect();
    const scale = this.side / this.canvas.clientWidth;
    return [(event.clientX - box.left - this.canvas.clientLeft) * scale, (event.clientY - box.top - this.canvas.clientTop) * scale];
  }

  listen() {
    const endStroke = (event) => {
      if (event.pointerId !== this.pointer) return;
      this.pointer = null;
      this.onChange(true);
    };
    this.canvas.addEventListener("pointerdown", (event) => {
      if (this.pointer !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
      event.preventDefault();
      this.pointer = event.pointerId;
      this.canvas.setPointerCapture(this.pointer);
      this.strokes.push([this.logical(event)]);
      this.version++;
      this.drawTip(this.screen, this.strokes[this.strokes.length - 1]);
      this.undoButton.disabled = this.clearButton.disabled = false;
      this.onChange(false);
    });
    this.canvas.addEventListener("pointermove", (event) => {
      if (event.pointerId !== this.pointer) return;
      const stroke = this.strokes[this.strokes.length - 1];
      for (const each of event.getCoalescedEvents?.() ?? [event]) {
        stroke.push(this.logical(each));
        this.drawTip(this.screen, stroke);
      }
      this.version++;
      this.onChange(false);
    });
    this.canvas.addEventListener("pointerup", endStroke);
    this.canvas.addEventListener("pointercancel", endStroke);
    this.undoButton.addEventListener("click", () => this.edit(() => this.strokes.pop()));
    this.clearButton.addEventListener("click", () => this.edit(() => { this.strokes.length = 0; }));
  }

  edit(change) {
    this.pointer = null;
    change();
    this.version++;
    this.repaint();
    this.onChange(true);
  }
}
