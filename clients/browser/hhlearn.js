// HhLearn's reference browser client: a plain ES module, no build step, no dependencies.
//
//   import { createHhLearnClient } from "./hhlearn.js";
//   const hhlearn = createHhLearnClient({ baseUrl: "https://api.example.com", getToken: () => auth.idToken });
//   hhlearn.track({ eventName: "learning_module_completed", payload: { course_slug: "c", module_slug: "m" } });
//   const progress = await hhlearn.readProgress({ email });   // { ok, status, body, retryAfter }
//
// What it promises the page:
// - It never throws. Every method resolves to a result object; problems go to `onError` (console.warn by default).
// - Nothing the learner did is dropped silently. An event the API could not take now (a 503 with Retry-After, a
//   429, a network error) is kept in localStorage and sent again after the advised wait, on the next call, when
//   the browser comes back online, and when the page is hidden; also on the next page load. An event the API
//   refused as invalid (4xx) is not retried: it is reported to `onError`.
// - Events keep their order: while anything is waiting, new events wait behind it.
// - Each event gets an `eventId` (for deduplication) and a `payload.ts` (the moment it happened) if it has none, so
//   an event sent again later means the same thing. Applying an event twice changes nothing on the server.
//
// Transport: with a token (`getToken`), a keepalive `fetch` with `Authorization: Bearer ...`: it survives the page
// closing, and its answer is read. Without a token, `navigator.sendBeacon` with a JSON Blob, as the original site
// did: the browser delivers it even after the page is gone, but its answer cannot be read (a beacon the browser
// would not queue is sent by fetch instead). Both are sent with credentials; the API must allow the page's origin.

const DEFAULT_STORAGE_KEY = "hhlearn.pending";
const MAX_PENDING = 500;
const MAX_BACKOFF_MS = 5 * 60 * 1000;

/**
 * Creates a client. Options: baseUrl (required), getToken, useBeacon (default true: without a token, send events as
 * beacons; false sends a keepalive fetch instead, whose answer is read), storage, storageKey, onError, autoFlush.
 */
export function createHhLearnClient(options) {
  const opts = options || {};
  const baseUrl = String(opts.baseUrl || "").replace(/\/+$/, "");
  const storageKey = opts.storageKey || DEFAULT_STORAGE_KEY;
  const storage = opts.storage !== undefined ? opts.storage : safeLocalStorage();
  const onError = typeof opts.onError === "function" ? opts.onError : (problem) => console.warn("hhlearn:", problem);
  const fetchImpl = opts.fetch || (typeof fetch === "function" ? fetch.bind(globalThis) : null);
  const beaconImpl = opts.useBeacon === false ? null
    : opts.sendBeacon !== undefined ? opts.sendBeacon
    : (typeof navigator !== "undefined" && typeof navigator.sendBeacon === "function" ? navigator.sendBeacon.bind(navigator) : null);
  const now = opts.now || (() => Date.now());

  let memory = [];          // the queue when storage is unavailable
  let memoryNotBefore = 0;
  let flushing = null;      // one flush at a time
  let timer = null;
  let backoffMs = 1000;

  function report(problem) {
    try { onError(problem); } catch { /* the page's handler must not break us either */ }
  }

  // ---- the pending queue (localStorage, so it survives reloads) ----

  function loadState() {
    if (!storage) return { events: memory.slice(), notBefore: memoryNotBefore };
    try {
      const parsed = JSON.parse(storage.getItem(storageKey) || "null");
      return parsed && Array.isArray(parsed.events) ? { events: parsed.events, notBefore: parsed.notBefore || 0 } : { events: [], notBefore: 0 };
    } catch {
      return { events: [], notBefore: 0 };
    }
  }

  function save(events, notBefore) {
    const kept = events.slice(-MAX_PENDING);
    if (kept.length < events.length) report({ code: "QUEUE_FULL", message: `${events.length - kept.length} oldest pending event(s) dropped` });
    if (!storage) { memory = kept; memoryNotBefore = notBefore; return; }
    try {
      if (kept.length === 0) storage.removeItem(storageKey);
      else storage.setItem(storageKey, JSON.stringify({ events: kept, notBefore }));
    } catch (e) {
      memory = kept; memoryNotBefore = notBefore;
      report({ code: "STORAGE_UNAVAILABLE", message: String(e) });
    }
  }

  function schedule(delayMs) {
    if (timer !== null || typeof setTimeout !== "function") return;
    timer = setTimeout(() => { timer = null; flush(); }, Math.max(0, delayMs));
  }

  // ---- sending one event ----

  async function token() {
    if (typeof opts.getToken !== "function") return null;
    try { return (await opts.getToken()) || null; } catch (e) { report({ code: "TOKEN_UNAVAILABLE", message: String(e) }); return null; }
  }

  /** Sends one event. Resolves to { outcome: "sent"|"beacon"|"rejected"|"retry", status, body, retryAfter }. */
  async function send(event, { leaving = false } = {}) {
    const body = JSON.stringify(event);
    const bearer = await token();
    if (!bearer && beaconImpl) {
      let queued = false;
      try { queued = beaconImpl(`${baseUrl}/events/track`, new Blob([body], { type: "application/json" })); } catch { queued = false; }
      if (queued) return { outcome: "beacon", status: null, body: null, retryAfter: null };
    }

    if (!fetchImpl) return { outcome: "retry", status: null, body: null, retryAfter: null };
    const headers = { "content-type": "application/json" };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    let response;
    try {
      response = await fetchImpl(`${baseUrl}/events/track`, { method: "POST", keepalive: true, credentials: "include", headers, body });
    } catch (e) {
      if (!leaving) report({ code: "NETWORK", message: String(e) });
      return { outcome: "retry", status: null, body: null, retryAfter: null };
    }

    const answer = await readJson(response);
    const retryAfter = parseRetryAfter(response.headers.get("retry-after"), now());
    if (response.ok) return { outcome: "sent", status: response.status, body: answer, retryAfter: null };
    if (response.status === 429 || response.status >= 500) return { outcome: "retry", status: response.status, body: answer, retryAfter };
    report({ code: (answer && answer.details && answer.details.code) || `HTTP_${response.status}`, message: (answer && answer.error) || response.statusText, event });
    return { outcome: "rejected", status: response.status, body: answer, retryAfter: null };
  }

  // ---- the public API ----

  /** Sends the pending events whose wait is over, in order; stops at the first one the API cannot take yet. */
  function flush({ leaving = false } = {}) {
    if (flushing) return flushing;
    const run = sendPending(leaving);
    flushing = run;
    // Cleared when this run ends, however it ends (it may even have ended already: an empty queue needs no await).
    run.finally(() => { if (flushing === run) flushing = null; });
    return run;
  }

  async function sendPending(leaving) {
    try {
      let { events, notBefore } = loadState();
      if (events.length === 0) return { sent: 0, pending: 0 };
      if (!leaving && notBefore > now()) { schedule(notBefore - now()); return { sent: 0, pending: events.length }; }
      let sent = 0;
      while (events.length > 0) {
        const result = await send(events[0], { leaving });
        if (result.outcome === "retry") {
          const wait = result.retryAfter !== null ? result.retryAfter : backoffMs;
          backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
          // Read the queue again: events tracked while we were sending are behind this one.
          const current = loadState().events;
          save(current, now() + wait);
          if (!leaving) schedule(wait);
          return { sent, pending: current.length };
        }

        backoffMs = 1000;
        sent++;
        const current = loadState().events;
        events = current[0] && current[0].eventId === events[0].eventId ? current.slice(1) : current;
        save(events, 0);
      }
      return { sent, pending: 0 };
    } catch (e) {
      report({ code: "CLIENT_ERROR", message: String(e) });
      return { sent: 0, pending: loadState().events.length };
    }
  }

  /**
   * Tracks one event. Resolves to { status, answer }: "sent" (the API's answer is in answer), "beacon" (handed to
   * the browser), "pending" (kept, will be sent later), "rejected" (invalid; answer says why), or "error".
   */
  async function track(event) {
    try {
      if (!event || typeof event !== "object") {
        report({ code: "INVALID_EVENT", message: "track() takes an event object" });
        return { status: "rejected", answer: null };
      }

      const prepared = prepare(event, now());
      if (flushing) await flushing;
      const state = loadState();
      if (state.events.length > 0) {
        save([...state.events, prepared], state.notBefore);
        const result = await flush();
        return { status: result.pending > 0 ? "pending" : "sent", answer: null };
      }

      const result = await send(prepared);
      if (result.outcome === "retry") {
        const wait = result.retryAfter !== null ? result.retryAfter : backoffMs;
        save([...loadState().events, prepared], now() + wait);
        schedule(wait);
        return { status: "pending", answer: result.body, retryAfter: result.retryAfter };
      }

      return { status: result.outcome === "sent" ? "sent" : result.outcome, answer: result.body };
    } catch (e) {
      report({ code: "CLIENT_ERROR", message: String(e) });
      return { status: "error", answer: null };
    }
  }

  async function get(path, params) {
    try {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(params || {})) {
        if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
      }
      const headers = { accept: "application/json" };
      const bearer = await token();
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      const qs = query.toString();
      const response = await fetchImpl(`${baseUrl}${path}${qs ? `?${qs}` : ""}`, { method: "GET", credentials: "include", headers });
      return { ok: response.ok, status: response.status, body: await readJson(response), retryAfter: parseRetryAfter(response.headers.get("retry-after"), now()) };
    } catch (e) {
      report({ code: "NETWORK", message: String(e) });
      return { ok: false, status: 0, body: null, retryAfter: null };
    }
  }

  /** GET /progress/read: { mode, progress, updated_at, summary, last_viewed } or { mode: "anonymous" }. */
  const readProgress = (who) => get("/progress/read", identity(who));

  /** GET /progress/aggregate: counts { started, completed, enrolled, enrolled_at } of a course or pathway. */
  const aggregate = ({ type, slug, ...who } = {}) => get("/progress/aggregate", { type, slug, ...identity(who) });

  /** GET /enrollments/list: { enrollments: { pathways, courses } }; 404 for a learner nobody knows. */
  const enrollments = (who) => get("/enrollments/list", identity(who));

  /** How many events wait to be sent, and from when. */
  function pending() {
    const state = loadState();
    return { count: state.events.length, notBefore: state.notBefore ? new Date(state.notBefore) : null };
  }

  function onHidden() {
    if (typeof document === "undefined" || document.visibilityState === "hidden") flush({ leaving: true });
  }

  if (opts.autoFlush !== false && typeof window !== "undefined" && window.addEventListener) {
    window.addEventListener("online", () => flush());
    window.addEventListener("pagehide", () => flush({ leaving: true }));
    if (typeof document !== "undefined") document.addEventListener("visibilitychange", onHidden);
    // Whatever an earlier visit could not send goes now.
    setTimeout(() => flush(), 0);
  }

  return { track, flush, pending, readProgress, aggregate, enrollments };
}

function prepare(event, at) {
  const copy = JSON.parse(JSON.stringify(event));
  if (!copy.eventId) copy.eventId = newId();
  if (copy.payload === undefined || copy.payload === null) copy.payload = {};
  if (typeof copy.payload === "object" && !Array.isArray(copy.payload) && !copy.payload.ts) copy.payload.ts = new Date(at).toISOString();
  return copy;
}

function identity(who) {
  const result = {};
  if (who && who.email) result.email = who.email;
  if (who && who.contactId) result.contactId = who.contactId;
  return result;
}

function newId() {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `ev-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** Retry-After in milliseconds from now: delta seconds or an HTTP date; null when absent or unreadable. */
function parseRetryAfter(value, at) {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - at) : null;
}

async function readJson(response) {
  try {
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function safeLocalStorage() {
  try {
    if (typeof localStorage === "undefined") return null;
    const probe = "hhlearn.probe";
    localStorage.setItem(probe, "1");
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    return null;
  }
}
