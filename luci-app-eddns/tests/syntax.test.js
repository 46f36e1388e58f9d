'use strict';
/* Every JavaScript file parses, every JSON file is valid JSON, and every
 * module has the prologue luci.js can load. */
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { parseRequires } = require('./lib/luci.js');

const APP = path.join(__dirname, '..');

function walk(dir, ext) {
	const out = [];
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory())
			out.push(...walk(p, ext));
		else if (e.name.endsWith(ext))
			out.push(p);
	}
	return out.sort();
}

const appJS = walk(path.join(APP, 'htdocs'), '.js');
const testJS = walk(__dirname, '.js');
const json = walk(path.join(APP, 'root'), '.json').concat(walk(__dirname, '.json'), [ path.join(APP, 'ipk.json'), path.join(APP, 'i18n-zh-cn.json') ]);

test('there is something to check', () => {
	assert.ok(appJS.length >= 3, 'app JavaScript files: ' + appJS.length);
	assert.ok(json.length >= 4, 'JSON files: ' + json.length);
});

for (const f of appJS) {
	test('parses as a LuCI module: ' + path.relative(APP, f), () => {
		const src = fs.readFileSync(f, 'utf8');
		/* luci.js compiles the body as a function of L and the required
		 * modules; a syntax error anywhere throws here. */
		new vm.Script('(function(L, _, N_, E) {' + src + '\n})', { filename: f });
		assert.match(src, /^'use strict';\n/, 'starts with the strict directive');
		assert.ok(parseRequires(src).length > 0, 'has a require prologue');
		assert.match(src, /\nreturn [\w.]+\.extend\(/, 'returns a class');
	});
}

for (const f of testJS) {
	test('parses: ' + path.relative(APP, f), () => {
		new vm.Script(fs.readFileSync(f, 'utf8'), { filename: f });
	});
}

for (const f of json) {
	test('valid JSON: ' + path.relative(APP, f), () => {
		assert.doesNotThrow(() => JSON.parse(fs.readFileSync(f, 'utf8')));
	});
}
