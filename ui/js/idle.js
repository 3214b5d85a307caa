// The UI side of the session's idle lock. While a session is open it watches the operator's keyboard, mouse,
// pointer and touch activity: after the session's idle minutes without any it calls `onIdle` once (app.js
// locks); while the operator is active it calls `onBeat` at most once every 30 s (app.js sends
// `access_activity`), so the backend's own idle lock does not fall on someone typing a long form. It must not
// call the backend or touch the page itself.
//
// The backend counts idleness from the last beat, this file from the last activity. A beat is sent on the
// first activity 30 s after the previous one, and once more after activity that fell between two beats, so
// the last beat is never older than the last activity for long: the UI's lock comes first and clears the
// screen, rather than the backend's, which the screen would learn of only at its next command.

const EVENTS = ['keydown', 'mousedown', 'mousemove', 'pointerdown', 'touchstart', 'wheel'];
const BEAT_MS = 30_000;
const TICK_MS = 5_000;

let watch = null;

function beat(now) {
  watch.lastBeat = now;
  watch.activeSinceBeat = false;
  watch.onBeat();
}

function noteActivity(e) {
  if (!watch) return;
  // WebKit sends a mousemove without any move after a scroll or a layout change: only a real move counts.
  if (e.type === 'mousemove') {
    if (e.screenX === watch.mouseX && e.screenY === watch.mouseY) return;
    watch.mouseX = e.screenX;
    watch.mouseY = e.screenY;
  }
  const now = Date.now();
  watch.lastActivity = now;
  watch.activeSinceBeat = true;
  if (now - watch.lastBeat >= BEAT_MS) beat(now);
}

function tick() {
  if (!watch) return;
  const now = Date.now();
  if (now - watch.lastActivity >= watch.idleMs) {
    const { onIdle } = watch;
    stopIdle();
    onIdle();
  } else if (watch.activeSinceBeat && now - watch.lastBeat >= BEAT_MS) {
    beat(now);
  }
}

/** Starts watching (again) from now: the command that opened the session was the last activity. */
export function startIdle({ minutes, onIdle, onBeat }) {
  stopIdle();
  const now = Date.now();
  watch = {
    idleMs: minutes * 60_000, onIdle, onBeat, lastActivity: now, lastBeat: now, activeSinceBeat: false,
    mouseX: null, mouseY: null, timer: setInterval(tick, TICK_MS),
  };
  for (const type of EVENTS) document.addEventListener(type, noteActivity, { capture: true, passive: true });
  // Timers slow down in a hidden window: look again as soon as it is shown.
  document.addEventListener('visibilitychange', tick);
}

/** A new idle time for the running watch (the responsabile changed it), counted from the last activity. */
export function setIdleMinutes(minutes) {
  if (watch) watch.idleMs = minutes * 60_000;
}

export function stopIdle() {
  if (!watch) return;
  clearInterval(watch.timer);
  for (const type of EVENTS) document.removeEventListener(type, noteActivity, { capture: true });
  document.removeEventListener('visibilitychange', tick);
  watch = null;
}

export const idleRunning = () => watch !== null;
