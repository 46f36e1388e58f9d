'use strict';
/* The configuration view declares exactly the options of the daemon's
 * schema (tests/schema.json, kept equal to `eddns schema` by
 * schema_test.go), and the comparison really catches drift. */
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { describeConfigView, sampleUCI } = require('./lib/luci.js');
const { compare, dnf } = require('./lib/compare.js');

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'schema.json'), 'utf8'));
const clone = (x) => JSON.parse(JSON.stringify(x));
const section = (s, type) => s.sections.find((x) => x.type == type);
const option = (sec, name) => sec.options.find((o) => o.name == name);

test('the view agrees with the schema', async () => {
	const { model } = await describeConfigView();
	assert.deepStrictEqual(compare(schema, model, sampleUCI.eddns), []);
});

test('the view declares the sections the issue asks for', async () => {
	const { model } = await describeConfigView();
	assert.deepStrictEqual(model.sections.map((s) => [ s.kind, s.type ]), [
		[ 'NamedSection', 'global' ],
		[ 'GridSection', 'provider' ],
		[ 'GridSection', 'record' ],
		[ 'GridSection', 'httpdns' ]
	]);
	const rec = model.sections.find((s) => s.type == 'record');
	assert.ok(rec.anonymous && rec.addremove, 'records are anonymous and can be added');
	for (const t of [ 'provider', 'httpdns' ]) {
		const s = model.sections.find((x) => x.type == t);
		assert.ok(!s.anonymous && s.addremove, t + ' sections are named: records refer to them');
	}
});

test('provider fields depend on the API type', async () => {
	const { model } = await describeConfigView();
	const p = model.sections.find((s) => s.type == 'provider');
	const o = (n) => p.options.find((x) => x.name == n);
	assert.deepStrictEqual(o('access_key_id').depends, [ { type: 'alidns' }, { type: 'huaweicloud' } ]);
	assert.deepStrictEqual(o('access_key_secret').depends, [ { type: 'alidns' }, { type: 'huaweicloud' } ]);
	assert.deepStrictEqual(o('secret_id').depends, [ { type: 'tencentcloud' }, { type: 'qcloud_cns' } ]);
	assert.deepStrictEqual(o('secret_key').depends, [ { type: 'tencentcloud' }, { type: 'qcloud_cns' } ]);
	assert.ok(o('access_key_secret').password && o('secret_key').password, 'secrets are password fields');
	assert.ok(!o('access_key_id').password && !o('secret_id').password, 'key ids stay readable');
	assert.ok(o('api_token').password && o('header').password, 'the Cloudflare token and webhook headers are secrets');
	assert.deepStrictEqual(o('api_token').depends, [ { type: 'cloudflare' } ]);
	assert.deepStrictEqual(o('url').depends, [ { type: 'webhook' } ]);
	assert.strictEqual(o('header').widget, 'DynamicList');
	assert.strictEqual(o('method').widget, 'ListValue');
	assert.strictEqual(o('region').default, 'cn-north-4');
	assert.ok(!o('endpoint').depends.some((d) => d.type == 'webhook'), 'a webhook has its url, no endpoint');
	assert.deepStrictEqual(o('timeout').depends, [], 'timeout applies to every type');
	assert.ok(!o('endpoint').depends.some((d) => d.type == 'rfc2136'), 'rfc2136 has its server, no endpoint');
	assert.ok(o('key_secret').password && o('api_key').password, 'the TSIG secret and the PowerDNS key are secrets');
	assert.deepStrictEqual(o('server').depends, [ { type: 'rfc2136' } ]);
	assert.strictEqual(o('key_algorithm').default, 'hmac-sha256');
});

test('record fields show only what the source needs', async () => {
	const { model } = await describeConfigView();
	const r = model.sections.find((s) => s.type == 'record');
	const o = (n) => r.options.find((x) => x.name == n);
	assert.deepStrictEqual(o('device').depends, [ { source: 'interface' }, { source: 'prefix' }, { source: 'host' } ]);
	assert.deepStrictEqual(o('network').depends, [ { source: 'interface' }, { source: 'prefix' } ]);
	assert.deepStrictEqual(o('prefer').depends, [ { source: 'interface', type: 'AAAA' }, { source: 'host', type: 'AAAA' } ]);
	assert.deepStrictEqual(o('mac').depends, [ { source: 'host' } ]);
	assert.deepStrictEqual(o('suffix').depends, [ { source: 'prefix' } ]);
	assert.deepStrictEqual(o('url').depends, [ { source: 'url' } ]);
	assert.deepStrictEqual(o('value').depends, [ { source: 'static' } ]);
	assert.strictEqual(o('device').widget, 'DeviceSelect');
	assert.strictEqual(o('url').widget, 'DynamicList');
	assert.deepStrictEqual(o('type').values, [ 'A', 'AAAA' ]);
	assert.deepStrictEqual(o('provider').values, [ 'ali', 'tx' ], 'picked from the configured providers');
	assert.deepStrictEqual(o('verify').values, [ '', 'authoritative', 'yunaq' ], 'none, the authoritative servers, or a configured httpdns section');
});

test('a missing global section is created so the first save is complete', async () => {
	const uci = { eddns: sampleUCI.eddns.filter((s) => s['.type'] != 'global') };
	const { luci } = await describeConfigView({ uci });
	assert.deepStrictEqual(luci.rec.uciAdded, [ { conf: 'eddns', type: 'global', name: 'global' } ]);
	const { luci: again } = await describeConfigView();
	assert.deepStrictEqual(again.rec.uciAdded, [], 'an existing one is left alone');
});

test('dnf expands depends_on the way LuCI reads depends()', () => {
	assert.deepStrictEqual(dnf(undefined), []);
	assert.deepStrictEqual(dnf({ source: [ 'interface', 'prefix' ] }), [ { source: 'interface' }, { source: 'prefix' } ]);
	assert.deepStrictEqual(dnf({ type: [ 'AAAA' ], source: [ 'interface' ] }), [ { source: 'interface', type: 'AAAA' } ]);
});

/* Each mutation is drift the daemon could introduce; compare must name it. */
const mutations = [
	[ 'an option the view lacks', (s) => section(s, 'provider').options.push({ name: 'zone_tag', kind: 'string', required: false, secret: false }), /provider\.zone_tag: view misses/ ],
	[ 'an option the daemon dropped', (s) => { const g = section(s, 'global'); g.options = g.options.filter((o) => o.name != 'log_level') }, /global\.log_level: view edits an option the daemon does not know/ ],
	[ 'a new enum value', (s) => option(section(s, 'record'), 'source').values.push('dhcp'), /record\.source: view offers/ ],
	[ 'a removed enum value', (s) => option(section(s, 'provider'), 'type').values.pop(), /provider\.type: view offers/ ],
	[ 'a changed default', (s) => { option(section(s, 'record'), 'ttl').default = '300' }, /record\.ttl: default/ ],
	[ 'a changed dependency', (s) => { option(section(s, 'record'), 'device').depends_on = { source: [ 'interface' ] } }, /record\.device: depends/ ],
	[ 'a new secret', (s) => { option(section(s, 'provider'), 'access_key_id').secret = true }, /access_key_id: a secret must be a password field/ ],
	[ 'a newly required option', (s) => { option(section(s, 'provider'), 'endpoint').required = true }, /endpoint: required by the daemon/ ],
	[ 'a new section type', (s) => s.sections.push({ type: 'hook', anonymous: true, options: [] }), /misses section type hook/ ],
	[ 'a kind change', (s) => { option(section(s, 'httpdns'), 'encrypt').kind = 'string' }, /httpdns\.encrypt: widget Flag/ ]
];
for (const [ what, mutate, want ] of mutations) {
	test('compare catches ' + what, async () => {
		const { model } = await describeConfigView();
		const s = clone(schema);
		mutate(s);
		const problems = compare(s, model, sampleUCI.eddns);
		assert.ok(problems.some((p) => want.test(p)), 'problems: ' + JSON.stringify(problems));
	});
}
