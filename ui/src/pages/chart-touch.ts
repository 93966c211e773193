import type uPlot from 'uplot';

/** Fewer pixels than this is a tap or a wobble, not a chosen range. */
const MIN_DRAG_PX = 10;

/**
 * The range after a pinch: the time under the fingers' centre stays put and the width shrinks by
 * how far the fingers spread (spread 2× → half the time shown). Pinching in zooms out.
 */
export function pinchRange(
  range: { min: number; max: number },
  centreFraction: number,
  startGapPx: number,
  gapPx: number,
): { min: number; max: number } {
  const scale = startGapPx / Math.max(gapPx, 1);
  const width = (range.max - range.min) * scale;
  const centre = range.min + (range.max - range.min) * centreFraction;
  return { min: centre - width * centreFraction, max: centre + width * (1 - centreFraction) };
}

/**
 * uPlot zooms with a mouse only. On a touch screen: slide one finger across the chart to select a
 * range (as a mouse drag does), or pinch with two to zoom around their centre. Vertical swipes stay
 * page scrolling (`touch-action: pan-y` in the CSS). `onRange` gets the chosen range in seconds.
 */
export function attachTouchZoom(u: uPlot, onRange: (startS: number, endS: number) => void): void {
  const over = u.over;
  const x = (t: Touch) => t.clientX - over.getBoundingClientRect().left;
  let drag: { fromPx: number; toPx: number } | undefined;
  let pinch: { gapPx: number; centre: number; range: { min: number; max: number } } | undefined;
  let pinched: { min: number; max: number } | undefined;

  const gap = (e: TouchEvent) => Math.abs(e.touches[0]!.clientX - e.touches[1]!.clientX);
  const start = (e: TouchEvent) => {
    if (e.touches.length === 1) {
      drag = { fromPx: x(e.touches[0]!), toPx: x(e.touches[0]!) };
    } else if (e.touches.length === 2) {
      drag = undefined;
      u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
      const width = over.clientWidth || 1;
      const mid = (x(e.touches[0]!) + x(e.touches[1]!)) / 2;
      const range = { min: u.scales.x!.min!, max: u.scales.x!.max! };
      pinch = { gapPx: gap(e), centre: Math.min(1, Math.max(0, mid / width)), range };
    }
  };
  const move = (e: TouchEvent) => {
    if (drag && e.touches.length === 1) {
      drag.toPx = Math.min(over.clientWidth, Math.max(0, x(e.touches[0]!)));
      const left = Math.min(drag.fromPx, drag.toPx);
      const width = Math.abs(drag.toPx - drag.fromPx);
      u.setSelect({ left, width, top: 0, height: over.clientHeight }, false);
      e.preventDefault();
    } else if (pinch && e.touches.length === 2) {
      // Show the zoom as the fingers move; the data for it is fetched once they lift.
      pinched = pinchRange(pinch.range, pinch.centre, pinch.gapPx, gap(e));
      u.setScale('x', pinched);
      e.preventDefault();
    }
  };
  const end = (e: TouchEvent) => {
    if (drag && e.touches.length === 0) {
      const left = Math.min(drag.fromPx, drag.toPx);
      const width = Math.abs(drag.toPx - drag.fromPx);
      drag = undefined;
      u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
      if (width >= MIN_DRAG_PX)
        onRange(Math.floor(u.posToVal(left, 'x')), Math.ceil(u.posToVal(left + width, 'x')));
    } else if (pinch && e.touches.length < 2) {
      pinch = undefined;
      if (pinched) onRange(Math.floor(pinched.min), Math.ceil(pinched.max));
      pinched = undefined;
    }
  };
  over.addEventListener('touchstart', start, { passive: true });
  over.addEventListener('touchmove', move, { passive: false });
  over.addEventListener('touchend', end);
  over.addEventListener('touchcancel', () => {
    drag = pinch = pinched = undefined;
    u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
  });
}
