// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * openapi.test.mjs - docs/openapi.yaml and the route table describe the
 * same API: every route the server answers under /api/ (and /healthz) is in
 * the document with its method, and every operation the document promises
 * is routed. The route table comes from the real binary (`livery routes`);
 * the document is read by its layout (paths at two spaces, operations at
 * four), which the document keeps.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { env, skipReason } from './lib/harness.mjs';

/* "/a/{ref}/b" and "/a/:ref/b" both become "/a/{}/b" */
const shape = (p) => p.replace(/\{[^}]*\}|:[a-z_]+/g, '{}');

function specOperations(text) {
	const ops = new Set();
	let inPaths = false;
	let current = null;
	for (const line of text.split('\n')) {
		if (/^\S/.test(line)) {
			inPaths = line.startsWith('paths:');
			current = null;
			continue;
		}
		if (!inPaths)
			continue;
		let m = /^ {2}(\/\S*):\s*$/.exec(line);
		if (m) {
			current = shape(m[1]);
			continue;
		}
		m = /^ {4}(get|put|post|delete|patch):/.exec(line);
		if (m && current)
			ops.add(`${m[1].toUpperCase()} ${current}`);
	}
	return ops;
}

describe('the OpenAPI document', { skip: skipReason }, () => {
	test('names every API route, and routes every operation it names', () => {
		const r = spawnSync(env.bin, ['routes'], { encoding: 'utf8' });
		assert.equal(r.status, 0, `livery routes: ${r.stderr}`);
		const routed = new Set(r.stdout.trim().split('\n').map((l) => JSON.parse(l))
			.filter((rt) => rt.pattern.startsWith('/api/') || rt.pattern === '/healthz')
			.map((rt) => `${rt.method} ${shape(rt.pattern)}`));
		const documented = specOperations(fs.readFileSync(
			path.join(env.sourceDir, 'docs', 'openapi.yaml'), 'utf8'));
		assert.ok(routed.size > 20 && documented.size > 20, 'both lists were read');
		assert.deepEqual([...routed].filter((op) => !documented.has(op)), [],
			'routes missing from docs/openapi.yaml');
		assert.deepEqual([...documented].filter((op) => !routed.has(op)), [],
			'operations in docs/openapi.yaml that no route answers');
	});
});
