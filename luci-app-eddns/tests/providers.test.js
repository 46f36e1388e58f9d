'use strict';
/* The provider fields of the configuration view come from
 * eddns/providers.js (generated from the daemon's provider declarations):
 * a module declaring other types and options yields other fields, with
 * the widget, dependencies, password flag, default and checks their kind
 * and format call for. */
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { describeConfigView } = require('./lib/luci.js');

const module_ = `'use strict';
'require baseclass';
return baseclass.extend({
	types: [ { type: 'ta', title: _('Type A') }, { type: 'tb', title: _('Type B') } ],
	options: [
		{ name: 'token', kind: 'secret', label: _('Token'), help: _('A token.'), secret: true, required: true, types: [ 'ta' ] },
		{ name: 'port', kind: 'int', label: _('Port'), help: _('A port.'), required_for: [ 'tb' ], min: 1, max: 10, types: [ 'ta', 'tb' ] },
		{ name: 'mode', kind: 'enum', label: _('Mode'), help: _('A mode.'), default: 'x', values: [ 'x', 'y' ], types: [ 'tb' ] },
		{ name: 'flag', kind: 'bool', label: _('Flag'), help: _('A flag.'), default: '0', types: [ 'ta' ] },
		{ name: 'hdr', kind: 'list', item: 'string', format: 'http_header', label: _('Headers'), help: _('Headers.'), secret: true, types: [ 'tb' ] },
		{ name: 'timeout', kind: 'int', label: _('Timeout'), help: _('A timeout.'), default: '15', min: 1, max: 300 }
	]
});
`;

async function view() {
	const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eddns-prov-')), 'providers.js');
	fs.writeFileSync(file, module_);
	return describeConfigView({ resources: { 'eddns.providers': file } });
}

test('fields follow the declarations', async () => {
	const { model } = await view();
	const p = model.sections.find((s) => s.type == 'provider');
	const o = (n) => p.options.find((x) => x.name == n);
	assert.deepStrictEqual(p.options.map((x) => x.name), [ 'type', 'token', 'port', 'mode', 'flag', 'hdr', 'timeout' ]);
	assert.deepStrictEqual(o('type').values, [ 'ta', 'tb' ]);
	assert.deepStrictEqual([ o('token').widget, o('port').widget, o('mode').widget, o('flag').widget, o('hdr').widget ],
		[ 'Value', 'Value', 'ListValue', 'Flag', 'DynamicList' ]);
	assert.ok(o('token').password && o('hdr').password && !o('port').password);
	assert.deepStrictEqual(o('token').depends, [ { type: 'ta' } ]);
	assert.deepStrictEqual(o('port').depends, [ { type: 'ta' }, { type: 'tb' } ]);
	assert.deepStrictEqual(o('timeout').depends, [], 'no types: every type');
	assert.ok(!o('token').rmempty && o('port').rmempty, 'required vs optional');
	assert.strictEqual(o('mode').default, 'x');
	assert.deepStrictEqual(o('mode').values, [ 'x', 'y' ]);
});

test('checks follow kind, format and required_for', async () => {
	const { map } = await view();
	const sec = map.children.find((s) => s.sectiontype == 'provider');
	const opt = (n) => sec.children.find((o) => o.option == n);
	const check = (n, value, type) => {
		map.formvalues = { p: { type: type } };
		return opt(n).validate('p', value);
	};
	assert.strictEqual(check('port', '', 'tb'), 'This option is required', 'required for tb');
	assert.strictEqual(check('port', '', 'ta'), true, 'optional for ta');
	assert.match(String(check('port', '11', 'ta')), /out of range 1\.\.10/);
	assert.strictEqual(check('port', '5', 'tb'), true);
	assert.strictEqual(check('token', '', 'ta'), 'This option is required');
	assert.match(String(check('token', 'a b ', 'ta')), /white space/);
	assert.strictEqual(check('hdr', 'X-Key: v', 'tb'), true);
	assert.match(String(check('hdr', 'no colon', 'tb')), /HTTP header line/);
});
