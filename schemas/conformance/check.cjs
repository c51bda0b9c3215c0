// Checks schemas/ with tools nobody here wrote: ajv 8 (JSON Schema 2020-12,
// strict mode) over every schema and example, and the official AsyncAPI
// parser over asyncapi.yaml, offline (a $ref that would be fetched from the
// network is an error). Prints a JSON summary of the parsed document on
// stdout for schemas/conformance_test.go, every problem on stderr, and
// exits 1 when there is any.
//
//   node check.cjs <node_modules dir> <schemas dir>
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const [modules, dir] = process.argv.slice(2);
if (!modules || !dir) {
  console.error('usage: node check.cjs <node_modules dir> <schemas dir>');
  process.exit(2);
}
const req = createRequire(path.join(path.resolve(modules), 'package.json'));
const Ajv2020 = req('ajv/dist/2020').default;
const addFormats = req('ajv-formats').default;
const { Parser, fromFile } = req('@asyncapi/parser');

const problems = [];
const problem = (where, msg) => problems.push(`${where}: ${msg}`);

// The annotation keywords of our schemas (schemas/README.md): ajv's strict
// mode refuses unknown keywords, so each is registered with the shape of its
// value.
const localized = { type: 'object', required: ['da', 'en'], additionalProperties: false,
  properties: { da: { type: 'string' }, en: { type: 'string' } } };
const keywords = [
  { keyword: 'x-title-en', metaSchema: { type: 'string', minLength: 1 } },
  { keyword: 'x-enum-titles', metaSchema: { type: 'object', additionalProperties: localized } },
  { keyword: 'x-sections', metaSchema: { type: 'array', items: { type: 'string' }, uniqueItems: true } },
];

const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const docs = new Map(files.map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))]));

function newAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true, logger: false });
  addFormats(ajv);
  for (const k of keywords) ajv.addKeyword(k);
  for (const [f, d] of docs) ajv.addSchema(d, undefined, undefined, true);
  return ajv;
}

// Every schema compiles in strict mode (each in a fresh instance, so one
// schema's error does not hide another's) and every example is valid.
const compiled = new Map(); // $id -> error message or null
for (const [f, d] of docs) {
  if (typeof d.$id !== 'string') { problem(f, 'no $id'); continue; }
  try {
    const v = newAjv().getSchema(d.$id);
    compiled.set(d.$id, null);
    const ex = path.join(dir, 'examples', f);
    if (fs.existsSync(ex) && !v(JSON.parse(fs.readFileSync(ex, 'utf8')))) {
      problem(`examples/${f}`, 'invalid: ' + v.errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; '));
    }
  } catch (e) {
    compiled.set(d.$id, e.message);
    problem(f, e.message);
  }
}

// JSON Schema 2020-12 payloads (schemaFormat
// application/schema+json;version=2020-12): the parser hands each payload to
// this schema parser, which reports ajv's verdict on the schema file with
// that $id as the parser's diagnostics.
const schema2020 = {
  getMimeTypes: () => ['application/schema+json;version=2020-12'],
  parse: async (input) => input.data,
  validate: async (input) => {
    const id = input.data && input.data.$id;
    if (!compiled.has(id)) return [{ message: `payload is not one of the schema files (its $id is ${id})`, path: input.path }];
    const err = compiled.get(id);
    return err ? [{ message: `ajv (2020-12, strict): ${err}`, path: input.path }] : [];
  },
};

// Offline: a resolver for http and https that is asked first and records
// the URL instead of fetching it (a throwing resolver would fall through to
// the parser's own network one).
const fetched = [];
const offline = (schema) => ({ schema, order: 1, read: (uri) => { fetched.push(uri.toString()); return '{}'; } });

(async () => {
  const parser = new Parser({ schemaParsers: [schema2020], __unstable: { resolver: { resolvers: [offline('http'), offline('https')] } } });
  const { document, diagnostics } = await fromFile(parser, path.join(dir, 'asyncapi.yaml')).parse();
  for (const u of fetched) problem('asyncapi.yaml', `$ref to ${u} needs the network (use a relative reference to the schema file)`);
  const severity = ['error', 'warning', 'info', 'hint'];
  for (const d of diagnostics) {
    const line = `${severity[d.severity]} ${d.code} at ${d.path.join('/')}: ${d.message}`;
    if (d.severity <= 1) problem('asyncapi.yaml', line);
    else console.error('asyncapi.yaml: ' + line);
  }
  const summary = { problems, channels: [], operations: [] };
  if (document) {
    for (const ch of document.channels()) {
      summary.channels.push({
        id: ch.id(), address: ch.address(), servers: ch.servers().all().map((s) => s.id()),
        messages: ch.messages().all().map((m) => ({
          id: m.id(), name: m.name(), contentType: m.contentType(),
          schemaFormat: m.payload() ? m.payload().schemaFormat() : '',
          payloadId: m.payload() ? m.payload().json().$id || '' : '',
          headers: m.headers() ? m.headers().json() : null,
        })),
      });
    }
    for (const op of document.operations()) {
      summary.operations.push({ id: op.id(), action: op.action(), channels: op.channels().all().map((c) => c.id()),
        messages: op.messages().all().map((m) => m.name()) });
    }
  } else {
    problem('asyncapi.yaml', 'the parser returned no document');
  }
  process.stdout.write(JSON.stringify(summary));
  for (const p of problems) console.error(p);
  process.exit(problems.length ? 1 : 0);
})().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
