import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './helpers.js';

const require = createRequire(import.meta.url);
// ajv is CommonJS; its default export is the class.
const Ajv2020 = require('ajv/dist/2020').default as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'report.schema.json'), 'utf8')) as object;

/** Validates a report against schema/report.schema.json (the JSON contract). */
export const validateReport = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
