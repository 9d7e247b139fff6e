// Checks the REST API's OpenAPI document with a real OpenAPI 3.1 validator, then checks live responses
// against the schemas the document declares for them.
// Usage: node check.mjs <openapi.json> <samples.json>
// samples.json: [{"method": "get", "path": "/v1/aggregates/{type}/{id}", "status": 200,
//                 "contentType": "application/json", "body": <parsed JSON or text>}]
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [docPath, samplesPath] = process.argv.slice(2);
const failures = [];

const validator = new Validator();
const result = await validator.validate(docPath);
if (!result.valid) {
  console.log("the document is not valid OpenAPI:", JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
console.log(`document: valid OpenAPI ${validator.version}`);
const doc = JSON.parse(readFileSync(docPath, "utf8"));

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, "doc");

const pointer = (...parts) => parts.map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
const resolve = (node) => {
  let path = null;
  while (node && node.$ref) {
    path = node.$ref.slice(2).split("/");
    node = path.reduce((at, key) => at?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], doc);
  }
  return { node, path };
};

const samples = JSON.parse(readFileSync(samplesPath, "utf8"));
const seen = new Set();
for (const s of samples) {
  const label = `${s.method.toUpperCase()} ${s.path} -> ${s.status}`;
  const operation = doc.paths?.[s.path]?.[s.method];
  if (!operation) {
    failures.push(`${label}: no such operation in the document`);
    continue;
  }
  const declared = operation.responses?.[String(s.status)];
  if (!declared) {
    failures.push(`${label}: status not documented`);
    continue;
  }
  const { node: response, path: responsePath } = resolve(declared);
  const media = response.content?.[s.contentType.split(";")[0].trim()];
  if (!media) {
    failures.push(`${label}: content type ${s.contentType} not documented`);
    continue;
  }
  const where = responsePath
    ? "doc#/" + pointer(...responsePath.map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~")), "content", s.contentType.split(";")[0].trim(), "schema")
    : "doc#/" + pointer("paths", s.path, s.method, "responses", String(s.status), "content", s.contentType.split(";")[0].trim(), "schema");
  const validate = ajv.compile({ $ref: where });
  if (!validate(s.body)) {
    failures.push(`${label}: body does not match ${where}: ${ajv.errorsText(validate.errors)}\n  ${JSON.stringify(s.body).slice(0, 400)}`);
    continue;
  }
  seen.add(`${s.method} ${s.path}`);
}
const operations = Object.entries(doc.paths).flatMap(([p, item]) =>
  Object.keys(item).filter((m) => ["get", "post", "put", "delete", "patch"].includes(m)).map((m) => `${m} ${p}`));
const untested = operations.filter((o) => !seen.has(o));
console.log(`responses: ${samples.length} checked, ${samples.length - failures.length} match; operations covered ${operations.length - untested.length}/${operations.length}`);
if (untested.length) failures.push(`operations with no conforming live response: ${untested.join(", ")}`);
if (failures.length) {
  console.log(failures.join("\n"));
  process.exit(1);
}
console.log("OK");
