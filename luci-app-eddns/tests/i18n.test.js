'use strict';
/* Every user-visible string is translatable and translated: _() takes only
 * literals, the template lists exactly the strings of the views and menu,
 * and the Simplified Chinese catalog translates each one with the same
 * format conversions. */
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const i18n = require('./lib/i18n.js');
const { describeConfigView, createLuCI } = require('./lib/luci.js');

const APP = i18n.APP;
const pot = fs.readFileSync(path.join(APP, 'po', 'templates', 'eddns.pot'), 'utf8');
const zh = i18n.parsePo(fs.readFileSync(path.join(APP, 'po', 'zh_Hans', 'eddns.po'), 'utf8'));

test('_() is only called with a string literal', () => {
	for (const f of i18n.appJS())
		assert.deepStrictEqual(i18n.extract(fs.readFileSync(f, 'utf8')).bad, [], f);
});

test('extract reads literals and escapes', () => {
	const r = i18n.extract("x = _('a \\'b\\''); y = _(\"c\"); z = foo_('no'); w = _(v);");
	assert.deepStrictEqual(r.strings, [ "a 'b'", 'c' ]);
	assert.deepStrictEqual(r.bad.length, 1);
});

test('the template is current', () => {
	assert.strictEqual(pot, i18n.renderPot(i18n.msgids()), 'regenerate: node tests/lib/i18n.js > po/templates/eddns.pot');
	assert.ok(i18n.msgids().length > 100);
});

test('zh_Hans translates every string', () => {
	assert.match(zh.header, /charset=UTF-8/);
	assert.match(zh.header, /Language: zh_Hans/);
	const ids = i18n.msgids();
	const missing = ids.filter((id) => !zh.entries.get(id));
	assert.deepStrictEqual(missing, []);
	const obsolete = Array.from(zh.entries.keys()).filter((id) => !ids.includes(id));
	assert.deepStrictEqual(obsolete, []);
});

test('translations keep the format conversions', () => {
	for (const [ id, str ] of zh.entries)
		assert.deepStrictEqual(i18n.specifiers(str), i18n.specifiers(id), id);
});

test('translations are Chinese where the source is prose', () => {
	const untranslated = Array.from(zh.entries).filter(([ id, s ]) => id == s && /[a-z]{3,} [a-z]{3,}/.test(id));
	assert.deepStrictEqual(untranslated, []);
});

test('every string the pages pass to _() at run time is in the catalog', async () => {
	const seen = new Set();
	const cfg = await describeConfigView();
	cfg.luci.rec.translated.forEach((s) => seen.add(s));
	const luci = createLuCI({ files: { '/var/run/eddns/status.json': fs.readFileSync(path.join(__dirname, 'testdata', 'status.json'), 'utf8') } });
	const v = luci.require('view.eddns.status');
	v.render(await v.load());
	luci.rec.translated.forEach((s) => seen.add(s));
	assert.ok(seen.size > 50);
	for (const s of seen)
		assert.ok(zh.entries.has(s), 'not in the catalog: ' + s);
});
