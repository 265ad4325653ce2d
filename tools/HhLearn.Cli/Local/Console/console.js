// The local console: the reference client (/_local/hhlearn.js) driven by buttons, beside what the service holds.
import { createHhLearnClient } from "/_local/hhlearn.js";

const $ = (id) => document.getElementById(id);
const api = location.origin;
const email = () => $("email").value.trim();

// Locally, API Gateway's JWT authorizer is emulated: a bearer token's claims are taken as verified. The console signs
// nothing; it builds the token a real identity provider would issue for this learner.
function localToken() {
  const encode = (value) => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode({ sub: email(), email: email(), email_verified: true })}.local`;
}

const client = createHhLearnClient({
  baseUrl: api,
  getToken: () => ($("signed-in").checked ? localToken() : null),
  // The console shows every answer: a keepalive fetch instead of a beacon, whose answer cannot be read.
  useBeacon: false,
  onError: (problem) => log(`! ${problem.code}: ${problem.message}`, "bad"),
});

function log(text, kind = "") {
  const line = document.createElement("div");
  line.className = kind;
  line.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $("log").prepend(line);
  while ($("log").childElementCount > 40) $("log").lastElementChild.remove();
}

async function track(eventName, fields) {
  const event = { eventName, contactIdentifier: $("signed-in").checked ? undefined : { email: email() }, ...fields };
  const result = await client.track(event);
  const answer = result.answer ? JSON.stringify(result.answer) : "";
  log(`${eventName} ${JSON.stringify(fields.payload || {})} -> ${result.status} ${answer}`, result.status === "rejected" ? "bad" : "ok");
  await refresh();
}

function button(label, testid, action) {
  const b = document.createElement("button");
  b.textContent = label;
  b.dataset.testid = testid;
  b.addEventListener("click", action);
  return b;
}

function courseBlock(course, pathway) {
  const block = document.createElement("div");
  block.className = "course";
  const where = pathway ? `${pathway}-` : "";
  const slugs = pathway ? { pathway_slug: pathway, course_slug: course.slug } : { course_slug: course.slug };
  const title = document.createElement("div");
  title.innerHTML = `<strong></strong> `;
  title.firstChild.textContent = course.title || course.slug;
  title.append(
    button("enrol", `enrol-${where}${course.slug}`, () => track("learning_course_enrolled", { ...slugs, enrollment_source: "console" })),
    button("complete course", `complete-course-${where}${course.slug}`, () => track("learning_course_completed", slugs)),
    button("view", `view-${where}${course.slug}`, () => track("learning_page_viewed", { payload: { content_type: "course", slug: course.slug } })));
  block.append(title);
  for (const module of course.modules || []) {
    const row = document.createElement("div");
    row.className = "module";
    const name = document.createElement("span");
    name.textContent = module;
    row.append(name,
      button("start", `start-${where}${course.slug}-${module}`, () => track("learning_module_started", { payload: { ...slugs, module_slug: module } })),
      button("complete", `complete-${where}${course.slug}-${module}`, () => track("learning_module_completed", { payload: { ...slugs, module_slug: module } })));
    block.append(row);
  }
  return block;
}

async function loadCatalog() {
  const catalog = await (await fetch("/_local/catalog")).json();
  const courses = new Map(catalog.courses.map((c) => [c.slug, c]));
  const root = $("catalog");
  root.textContent = "";
  for (const pathway of catalog.pathways) {
    const block = document.createElement("div");
    block.className = "pathway";
    const title = document.createElement("div");
    title.innerHTML = "<strong></strong> (pathway) ";
    title.firstChild.textContent = pathway.title || pathway.slug;
    title.append(
      button("enrol", `enrol-pathway-${pathway.slug}`, () => track("learning_pathway_enrolled", { pathway_slug: pathway.slug, enrollment_source: "console" })),
      button("complete pathway", `complete-pathway-${pathway.slug}`, () => track("learning_pathway_completed", { pathway_slug: pathway.slug })));
    block.append(title);
    for (const slug of pathway.courses || []) block.append(courseBlock(courses.get(slug) || { slug, modules: [] }, pathway.slug));
    root.append(block);
  }
  const standalone = document.createElement("div");
  standalone.innerHTML = "<p class=muted>Standalone courses (no pathway)</p>";
  for (const course of catalog.courses) standalone.append(courseBlock(course, null));
  root.append(standalone);
}

function table(rows) {
  const t = document.createElement("table");
  for (const [key, value] of rows) {
    const tr = t.insertRow();
    tr.insertCell().textContent = key;
    tr.insertCell().textContent = value === null || value === undefined ? "" : String(value);
  }
  return t;
}

async function refresh() {
  if (!email()) return;
  const read = await client.readProgress($("signed-in").checked ? {} : { email: email() });
  if (read.body && read.body.mode === "authenticated") {
    $("summary").textContent = read.body.summary || "";
    $("summary").className = "";
    $("progress").textContent = JSON.stringify(read.body.progress, null, 2);
  } else {
    $("summary").textContent = read.ok ? "no progress stored for this learner (the API answers anonymous)" : `read failed: ${read.status}`;
    $("summary").className = "muted";
    $("progress").textContent = "";
  }
  const stored = await fetch(`/_local/learner?email=${encodeURIComponent(email())}`);
  const learner = stored.ok ? await stored.json() : null;
  $("store").textContent = !learner ? ""
    : learner.blocked ? `store version ${learner.version}; HubSpot projection blocked: ${learner.blocked}`
    : learner.projectedVersion >= learner.version ? `store version ${learner.version}; HubSpot holds it (contact ${learner.contactId})`
    : `store version ${learner.version}; HubSpot holds version ${learner.projectedVersion}, behind since ${learner.behindSince}`;
  const contact = await fetch(`/_local/hubspot?email=${encodeURIComponent(email())}`);
  const body = contact.ok ? await contact.json() : null;
  $("contact").textContent = "";
  if (body && body.properties) {
    $("contact").className = "";
    $("contact").append(table([["id", body.id], ...Object.entries(body.properties).filter(([k]) => k.startsWith("hhl_") || ["email", "lifecyclestage"].includes(k)).sort()]));
  } else {
    $("contact").className = "muted";
    $("contact").textContent = contact.status === 404 ? "no contact in HubSpot for this learner (yet)" : "HubSpot is not the built-in emulator";
  }
}

async function stats() {
  try {
    const s = await (await fetch("/_local/stats")).json();
    const parts = [`mode ${s.mode}`];
    if (s.queueDepth !== undefined) parts.push(`queue ${s.queueDepth}`, `in flight ${s.queueInFlight}`, `DLQ ${s.deadLetterQueue}`);
    if (s.learnersBehind !== undefined) parts.push(`behind in HubSpot ${s.learnersBehind}` + (s.learnersBehind ? ` (oldest ${s.oldestBehindSeconds} s)` : ""));
    const pending = client.pending();
    if (pending.count > 0) parts.push(`unsent in this browser ${pending.count}`);
    $("stats").textContent = parts.join("   ");
  } catch {
    $("stats").textContent = "service unreachable";
  }
}

$("email").addEventListener("change", refresh);
$("signed-in").addEventListener("change", refresh);
await loadCatalog();
await refresh();
setInterval(stats, 1000);
setInterval(refresh, 3000);
stats();
