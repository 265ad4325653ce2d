// Runs HubSpot's official Node.js client (@hubspot/api-client) against the HhLearn HubSpot emulator, unchanged,
// for every call HhLearn makes. Prints one JSON line per check and exits 1 when any check fails.
// Usage: node check.mjs <emulator base URL> <token>
import { Client } from '@hubspot/api-client';

const [baseUrl, token] = process.argv.slice(2);
if (!baseUrl || !token) {
  console.error('usage: node check.mjs <base URL> <token>');
  process.exit(2);
}

const client = new Client({ accessToken: token, basePath: baseUrl.replace(/\/$/, ''), numberOfApiCallRetries: 0 });
const contacts = client.crm.contacts;
const properties = client.crm.properties;
const unique = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
const email = (name) => `${name}-${unique}@example.com`;
let failed = 0;

async function check(name, fn) {
  try {
    const detail = await fn();
    console.log(JSON.stringify({ check: name, ok: true, detail: detail ?? null }));
  } catch (error) {
    failed++;
    console.log(JSON.stringify({ check: name, ok: false, error: String(error?.message ?? error).slice(0, 500) }));
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function expectStatus(promise, code) {
  try {
    await promise;
  } catch (error) {
    expect(error.code === code, `expected ${code}, got ${error.code}: ${String(error.message).slice(0, 200)}`);
    return error.body;
  }
  throw new Error(`expected ${code}, got success`);
}

let created;
await check('properties.groupsApi.create', async () => {
  const group = await properties.groupsApi.create('contacts', { name: `sdk_group_${unique.replace(/-/g, '_')}`, label: 'SDK group' });
  expect(group.name.startsWith('sdk_group_'), 'group name');
  const property = await properties.coreApi.create('contacts', {
    name: 'sdk_score', label: 'SDK score', type: 'number', fieldType: 'number', groupName: group.name,
  });
  expect(property.type === 'number', 'property type');
});

await check('properties.coreApi.getByName', async () => {
  const property = await properties.coreApi.getByName('contacts', 'email');
  expect(property.type === 'string' && property.fieldType === 'text', 'email property');
});

await check('basicApi.create', async () => {
  created = await contacts.basicApi.create({ properties: { email: email('ada'), firstname: 'Ada', sdk_score: '3' }, associations: [] });
  expect(/^[0-9]+$/.test(created.id), 'numeric id');
  expect(created.createdAt instanceof Date, 'createdAt is a date');
  return created.id;
});

await check('basicApi.getById', async () => {
  const read = await contacts.basicApi.getById(created.id, ['email', 'sdk_score']);
  expect(read.properties.sdk_score === '3', 'values come back as strings');
});

await check('basicApi.getById idProperty=email', async () => {
  const read = await contacts.basicApi.getById(email('ada').toUpperCase(), ['email'], undefined, undefined, false, 'email');
  expect(read.id === created.id, 'same contact by email, any case');
});

await check('basicApi.update', async () => {
  const updated = await contacts.basicApi.update(created.id, { properties: { sdk_score: '4' } });
  expect(updated.properties !== undefined, 'properties');
});

await check('basicApi.update answers the values written', async () => {
  const updated = await contacts.basicApi.update(created.id, { properties: { sdk_score: '5' } });
  expect(updated.properties.sdk_score === '5', `echoed sdk_score, got ${JSON.stringify(updated.properties)}`);
});

await check('basicApi.create answers the values written', async () => {
  const echoed = await contacts.basicApi.create({ properties: { email: email('echo'), sdk_score: '2' }, associations: [] });
  expect(echoed.properties.sdk_score === '2' && echoed.properties.email === email('echo'), 'echoed create');
});

await check('basicApi.create duplicate email is 409', async () => {
  const body = await expectStatus(contacts.basicApi.create({ properties: { email: email('ada') }, associations: [] }), 409);
  expect(JSON.stringify(body).includes(created.id), '409 body names the existing id');
});

await check('basicApi.getById unknown is 404', async () => {
  await expectStatus(contacts.basicApi.getById('999999999'), 404);
});

await check('basicApi.create unknown property is 400', async () => {
  await expectStatus(contacts.basicApi.create({ properties: { email: email('bad'), no_such_property: 'x' }, associations: [] }), 400);
});

await check('batchApi.create', async () => {
  const result = await contacts.batchApi.create({ inputs: [{ properties: { email: email('b1') }, associations: [] }, { properties: { email: email('b2') }, associations: [] }] });
  expect(result.results.length === 2 && result.status === 'COMPLETE', 'two created');
});

await check('batchApi.read by email with one unknown (207)', async () => {
  const result = await contacts.batchApi.read({ idProperty: 'email', inputs: [{ id: email('b1') }, { id: email('ghost') }], properties: ['email'], propertiesWithHistory: [] });
  expect(result.results.length === 1, 'one found');
  expect(result.errors?.length === 1 && result.errors[0].category === 'OBJECT_NOT_FOUND', 'one OBJECT_NOT_FOUND error');
});

await check('batchApi.update', async () => {
  const result = await contacts.batchApi.update({ inputs: [{ id: created.id, properties: { sdk_score: '9' } }] });
  expect(result.results.length === 1, 'one updated');
});

await check('batchApi.upsert', async () => {
  const result = await contacts.batchApi.upsert({ inputs: [
    { id: email('ada'), idProperty: 'email', properties: { firstname: 'Augusta' } },
    { id: email('upserted'), idProperty: 'email', properties: { firstname: 'New' } },
  ] });
  const byNew = Object.fromEntries(result.results.map((r) => [r.properties.email ?? r.id, r._new ?? r['new']]));
  expect(result.results.length === 2, 'two results');
  return byNew;
});

await check('searchApi.doSearch', async () => {
  const result = await contacts.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'nobody-' + unique + '@example.com' }] }],
    properties: ['email'], limit: 1, after: '0', sorts: [],
  });
  expect(result.total === 0 && Array.isArray(result.results), 'empty search result');
});

await check('gdpr delete (through the SDK generic apiRequest)', async () => {
  const response = await client.apiRequest({ method: 'POST', path: '/crm/v3/objects/contacts/gdpr-delete', body: { objectId: email('b2'), idProperty: 'email' } });
  expect(response.status === 204, `expected 204, got ${response.status}`);
  await expectStatus(contacts.basicApi.getById(email('b2'), undefined, undefined, undefined, false, 'email'), 404);
});

let merged;
await check('merge (through the SDK generic apiRequest; 13.5 has no mergeApi on contacts)', async () => {
  const primary = await contacts.basicApi.create({ properties: { email: email('primary') }, associations: [] });
  const other = await contacts.basicApi.create({ properties: { email: email('secondary'), sdk_score: '8' }, associations: [] });
  const response = await client.apiRequest({ method: 'POST', path: '/crm/v3/objects/contacts/merge', body: { primaryObjectId: primary.id, objectIdToMerge: other.id } });
  expect(response.status === 200, `expected 200, got ${response.status}`);
  merged = await response.json();
  expect(/^[0-9]+$/.test(merged.id), 'merged record has an id');
  const read = await contacts.basicApi.getById(merged.id, ['email', 'hs_additional_emails', 'hs_merged_object_ids', 'sdk_score']);
  expect(read.properties.email === email('primary'), 'the primary email stays');
  expect(read.properties.hs_additional_emails === email('secondary'), 'the other email is an additional email');
  expect(read.properties.hs_merged_object_ids.split(';').includes(other.id), 'the old id is listed');
  expect(read.properties.sdk_score === '8', 'a blank of the primary is filled from the other');
  const byOldId = await contacts.basicApi.getById(other.id, ['email']);
  expect(byOldId.id === merged.id, 'an old id answers the merged record');
  return { merged: merged.id, previous: [primary.id, other.id] };
});

await check('secondary email: getById, batchApi.read and 409 name the merged record', async () => {
  const single = await contacts.basicApi.getById(email('secondary'), ['email'], undefined, undefined, false, 'email');
  expect(single.id === merged.id, 'single read by the secondary email');
  const batch = await contacts.batchApi.read({ idProperty: 'email', inputs: [{ id: email('secondary') }], properties: ['email'], propertiesWithHistory: [] });
  expect(batch.results.length === 1 && batch.results[0].id === merged.id, 'batch read by the secondary email');
  const body = await expectStatus(contacts.basicApi.create({ properties: { email: email('secondary') }, associations: [] }), 409);
  expect(JSON.stringify(body).includes(merged.id), '409 names the merged record');
});

await check('batchApi.update with one record twice is 400', async () => {
  await expectStatus(contacts.batchApi.update({ inputs: [{ id: merged.id, properties: { sdk_score: '1' } }, { id: merged.id, properties: { sdk_score: '2' } }] }), 400);
});

await check('wrong token is 401', async () => {
  const other = new Client({ accessToken: 'wrong-token', basePath: baseUrl.replace(/\/$/, ''), numberOfApiCallRetries: 0 });
  await expectStatus(other.crm.contacts.basicApi.getById(created.id), 401);
});

console.log(JSON.stringify({ summary: true, failed }));
process.exit(failed === 0 ? 0 : 1);
