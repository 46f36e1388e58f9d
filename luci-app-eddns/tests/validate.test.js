'use strict';
/* The view's validators give every value in testdata/validation_cases.json
 * the verdict `eddns check` gives it (schema_test.go holds the daemon to the
 * same file), so the page refuses exactly what the daemon would refuse. */
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { describeConfigView, createLuCI } = require('./lib/luci.js');

const vc = JSON.parse(fs.readFileSync(path.join(__dirname, 'testdata', 'validation_cases.json'), 'utf8'));

/* verdict runs an option's validator as LuCI would: with the other options
 * of the section in the form, once per element for a list. */
function verdict(map, c) {
	const sec = map.children.find((s) => s.sectiontype == c.section);
	const opt = sec.children.find((o) => o.option == c.option);
	assert.ok(opt, `${c.section}.${c.option} is declared`);
	assert.strictEqual(typeof opt.validate, 'function', `${c.section}.${c.option} has a validator`);
	const sid = c.section == 'global' ? 'global' : 'under_test';
	const form = Object.assign({}, vc.bases[c.section], c.with || {});
	for (const k of Object.keys(form))
		if (form[k] === '')
			delete form[k];
	form[c.option] = c.value;
	map.formvalues = { [sid]: form };
	const results = Array.isArray(c.value) && c.value.length > 0
		? c.value.map((v) => opt.validate(sid, v))
		: [ opt.validate(sid, c.value) ];
	const bad = results.filter((r) => r !== true);
	bad.forEach((r) => assert.strictEqual(typeof r, 'string', 'a refusal is a message'));
	return { ok: bad.length == 0, messages: bad };
}

test('the case list covers every validated option', async () => {
	const { map } = await describeConfigView();
	const covered = new Set(vc.cases.map((c) => c.section + '.' + c.option));
	for (const s of map.children)
		for (const o of s.children)
			if (typeof o.validate == 'function')
				assert.ok(covered.has(s.sectiontype + '.' + o.option), `no validation case for ${s.sectiontype}.${o.option}`);
	for (const want of [ true, false ])
		assert.ok(vc.cases.filter((c) => c.ok === want).length > 50, 'enough ' + (want ? 'good' : 'bad') + ' values');
});

test('validators agree with eddns check', async () => {
	const { map } = await describeConfigView();
	const wrong = [];
	for (const c of vc.cases) {
		const r = verdict(map, c);
		if (r.ok !== c.ok)
			wrong.push(`${c.section}.${c.option} = ${JSON.stringify(c.value)}${c.with ? ' with ' + JSON.stringify(c.with) : ''}: ` +
				(c.ok ? 'refused (' + r.messages.join('; ') + ')' : 'accepted') + ', eddns check ' + (c.ok ? 'accepts' : 'refuses'));
	}
	assert.deepStrictEqual(wrong, []);
});

test('messages name the problem', async () => {
	const { map } = await describeConfigView();
	const msg = (section, option, value, w) => verdict(map, { section, option, value, with: w }).messages[0];
	assert.strictEqual(msg('record', 'ttl', '0'), '0 is out of range 1..604800');
	assert.strictEqual(msg('record', 'name', 'nas.example.com'), 'Relative to the zone example.com: write nas');
	assert.strictEqual(msg('record', 'name', 'Example.COM'), 'Relative to the zone example.com: write @');
	assert.strictEqual(msg('record', 'value', '192.0.2.1', { type: 'AAAA' }), '192.0.2.1 is an IPv4 address, but type is AAAA');
	assert.match(msg('record', 'suffix', '2001:db8::1', { source: 'prefix', device: 'br-lan' }), /upper 64 bits must be zero/);
	assert.strictEqual(msg('record', 'device', '', { source: 'interface' }), 'Set a device or a network');
	assert.strictEqual(msg('record', 'network', 'wan', { source: 'interface', device: 'eth0' }), 'Set either a device or a network, not both');
	assert.strictEqual(msg('global', 'resync_interval', '30'), '30 seconds is too aggressive; use 0 (off) or at least 60');
	assert.strictEqual(msg('httpdns', 'account_id', 'abc'), 'Must be 32 hexadecimal characters');
	assert.strictEqual(msg('provider', 'endpoint', 'https://u:p@h/'), 'Must not contain a user name or password');
	assert.strictEqual(msg('record', 'zone', ''), 'This option is required');
});

test('a secret is never quoted back', async () => {
	const { map } = await describeConfigView();
	const secret = ' hunter2-very-secret';
	for (const [ section, option, w ] of [ [ 'provider', 'access_key_secret' ], [ 'provider', 'secret_key', { type: 'tencentcloud' } ], [ 'httpdns', 'secret' ] ]) {
		const r = verdict(map, { section, option, value: secret, with: w });
		assert.strictEqual(r.ok, false);
		assert.ok(!r.messages[0].includes('hunter2'), r.messages[0]);
	}
});

test('the source must suit the record type', async () => {
	const { map } = await describeConfigView();
	assert.strictEqual(verdict(map, { section: 'record', option: 'source', value: 'prefix', with: { type: 'A' } }).ok, false);
	for (const src of [ 'interface', 'static' ])
		assert.strictEqual(verdict(map, { section: 'record', option: 'source', value: src, with: { type: 'A' } }).ok, true, src);
	assert.strictEqual(verdict(map, { section: 'record', option: 'source', value: 'url', with: { type: 'A', url: [ 'https://a.example/ip' ] } }).ok, true);
	assert.strictEqual(verdict(map, { section: 'record', option: 'source', value: 'url', with: { type: 'A', url: [] } }).ok, false, 'an empty URL list');
	assert.strictEqual(verdict(map, { section: 'record', option: 'source', value: 'prefix', with: { type: 'AAAA' } }).ok, true);
});

test('parseIP reads addresses like net/netip', () => {
	const check = createLuCI().require('eddns.validate');
	const hex = (ip) => ip && Buffer.from(ip.bytes).toString('hex');
	assert.deepStrictEqual(check.parseIP('192.0.2.1'), { v4: true, bytes: [ 192, 0, 2, 1 ] });
	assert.strictEqual(hex(check.parseIP('2001:db8::1')), '20010db8000000000000000000000001');
	assert.strictEqual(hex(check.parseIP('::ffff:192.0.2.1')), '00000000000000000000ffffc0000201');
	assert.strictEqual(check.parseIP('::ffff:192.0.2.1').v4, false, 'v4-mapped stays IPv6');
	assert.strictEqual(hex(check.parseIP('1::')), '00010000000000000000000000000000');
	for (const bad of [ '', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.256', ':', ':::', '1:2:3:4:5:6:7:8:9', '::1::', 'fe80::1%1', '::1.2.3', 'x::' ])
		assert.strictEqual(check.parseIP(bad), null, bad);
});
