// The digit reader's drawing canvas, mounted by ui/parts/drawing_canvas.py (its docstring has the protocol).
//
// Streamlit calls this function again, on the same DOM, each time the page reruns with new data:
// the cells are built once and recoloured on each call, and the event handlers (bound once) read
// the latest call's data and setTriggerValue from the element.

export default function ({ data, parentElement, setTriggerValue }) {
  const grid = parentElement.querySelector(".mlpsim-drawing");
  const status = parentElement.querySelector(".mlpsim-drawing-status");
  const side = data.side;
  grid.setAttribute("aria-label", data.label);
  // The brush the next stroke paints with (1 ink, 0 eraser): a test waits for it after a switch.
  grid.dataset.brush = String(data.brush);
  if (grid.children.length !== side * side) {
    grid.replaceChildren();
    grid.style.gridTemplateColumns = `repeat(${side}, 1fr)`;
    grid.style.gridTemplateRows = `repeat(${side}, 1fr)`;
    for (let pixel = 0; pixel < side * side; pixel++) {
      const cell = document.createElement("div");
      cell.className = "mlpsim-pixel";
      cell.dataset.pixel = String(pixel);
      grid.appendChild(cell);
    }
  }
  const canvas = grid.canvas || (grid.canvas = { pending: [], nextSequence: 1, cursor: 0, stroke: null });
  canvas.data = data;
  canvas.setTriggerValue = setTriggerValue;
  // A stroke is pending until the page comes back having applied it (data.applied); a stroke
  // the server never saw (two sent while it was busy) is sent again with the next one.
  canvas.pending = canvas.pending.filter((stroke) => stroke.sequence > data.applied);
  canvas.nextSequence = Math.max(canvas.nextSequence, data.applied + 1);
  data.values.forEach((value, pixel) => {
    const cell = grid.children[pixel];
    cell.style.background = grey(value);
    cell.dataset.value = String(value);
    cell.title = `row ${Math.floor(pixel / side) + 1}, column ${(pixel % side) + 1}: ink ${+value.toPrecision(3)}`;
  });
  for (const stroke of canvas.pending) {
    for (const pixel of stroke.pixels) grid.children[pixel].style.background = stroke.colour;
  }
  if (canvas.pending.length && !canvas.stroke) send(canvas);
  if (grid.dataset.bound) return;
  grid.dataset.bound = "true";
  bind(grid, status, canvas);
}

// Ink 0 is white, 1 black; values beyond those are clipped.
function grey(value) {
  const level = Math.round(255 * (1 - Math.min(1, Math.max(0, value))));
  return `rgb(${level},${level},${level})`;
}

function send(canvas) {
  canvas.setTriggerValue(
    "strokes",
    canvas.pending.map(({ sequence, pixels, value }) => ({ sequence, pixels, value })),
  );
}

function bind(grid, status, canvas) {
  const side = () => canvas.data.side;
  const pixelAt = (event) => {
    const box = grid.getBoundingClientRect();
    const column = Math.floor(((event.clientX - box.left) / box.width) * side());
    const row = Math.floor(((event.clientY - box.top) / box.height) * side());
    return column >= 0 && column < side() && row >= 0 && row < side() ? row * side() + column : null;
  };
  const paint = (pixel) => {
    if (pixel === null || canvas.stroke.pixels.includes(pixel)) return;
    canvas.stroke.pixels.push(pixel);
    grid.children[pixel].style.background = canvas.stroke.colour;
  };
  const begin = () => {
    canvas.stroke = {
      sequence: canvas.nextSequence++,
      pixels: [],
      value: canvas.data.brush,
      colour: grey(canvas.data.brush),
    };
  };
  const finish = () => {
    const stroke = canvas.stroke;
    canvas.stroke = null;
    if (stroke && stroke.pixels.length) {
      canvas.pending.push(stroke);
      send(canvas);
    }
  };

  // Pointer events cover the mouse, a pen and a finger alike; the pointer is captured so that a
  // stroke leaving the grid and coming back is still one stroke, sent when it is lifted.
  grid.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    grid.setPointerCapture(event.pointerId);
    begin();
    paint(pixelAt(event));
    event.preventDefault();
  });
  grid.addEventListener("pointermove", (event) => {
    if (canvas.stroke) paint(pixelAt(event));
  });
  grid.addEventListener("pointerup", finish);
  grid.addEventListener("pointercancel", finish);

  // The keyboard: arrow keys move a cursor, Space or Enter inks (or erases) the pixel under it.
  const describe = () => {
    for (const cell of grid.children) cell.classList.remove("mlpsim-cursor");
    const cell = grid.children[canvas.cursor];
    cell.classList.add("mlpsim-cursor");
    grid.dataset.cursor = String(canvas.cursor);
    status.textContent = cell.title;
  };
  grid.addEventListener("focus", describe);
  grid.addEventListener("blur", () => grid.children[canvas.cursor].classList.remove("mlpsim-cursor"));
  const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  grid.addEventListener("keydown", (event) => {
    const n = side();
    if (event.key in moves) {
      const [down, right] = moves[event.key];
      const row = Math.min(n - 1, Math.max(0, Math.floor(canvas.cursor / n) + down));
      const column = Math.min(n - 1, Math.max(0, (canvas.cursor % n) + right));
      canvas.cursor = row * n + column;
      describe();
    } else if (event.key === " " || event.key === "Enter") {
      begin();
      paint(canvas.cursor);
      finish();
    } else {
      return;
    }
    event.preventDefault();
  });
}
