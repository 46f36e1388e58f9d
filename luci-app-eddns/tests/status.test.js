'use strict';
/* The status page: renders status.json (state.Status; schema_test.go checks
 * the sample decodes strictly as one), shows per record the published value,
 * last update, last error and verification, treats every string from the
 * file as text, refreshes by poll, and its buttons make the right ubus calls. */
process.env.TZ = 'UTC';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { createLuCI } = require('./lib/luci.js');

const STATUS = '/var/run/eddns/status.json';
const RELEASE = '/etc/openwrt_release';
const sample = fs.readFileSync(path.join(__dirname, 'testdata', 'status.json'), 'utf8');
const NOW = new Date('2025-06-01T12:00:00Z');

const release = (arch) => `DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='24.10.0'\nDISTRIB_ARCH='${arch}'\nDISTRIB_TARGET='x'\n`;
const running = () => ({ eddns: { instances: { eddns: { running: true, pid: 1742 } } } });

function setup(over) {
	over = over || {};
	const luci = createLuCI({
		files: Object.assign({ [STATUS]: sample, [RELEASE]: release('x86_64') }, over.files || {}),
		ubus: Object.assign({
			'service.list': running,
			'service.signal': () => ({}),
			'luci.setInitAction': () => ({ result: true })
		}, over.ubus || {})
	});
	if (over.removeFile)
		delete luci.files[over.removeFile];
	return { luci, view: luci.require('view.eddns.status') };
}

async function panel(over) {
	const { luci, view } = setup(over);
	const data = await view.load();
	return { luci, view, node: view.renderStatus(data, NOW) };
}

const rows = (node) => node.all((n) => n.tag == 'tr' && n.attrs['data-section'] != null);
const cellOf = (row, title) => row.children.find((c) => c.attrs && c.attrs['data-title'] == title);

test('every record shows published value, last update, last error and verification', async () => {
	const { node } = await panel();
	const r = rows(node);
	assert.deepStrictEqual(r.map((x) => x.attrs['data-section']), [ 'nas6', 'home4', 'cfg0a1b2c' ]);
	for (const row of r)
		for (const title of [ 'Record', 'Published', 'Last update', 'Last error', 'Verification' ])
			assert.ok(cellOf(row, title), `${row.attrs['data-section']}: ${title} cell`);

	const [ nas, home, vpn ] = r;
	assert.strictEqual(cellOf(nas, 'Record').text(), 'nas.example.com AAAA\nsection nas6, provider ali, source prefix');
	assert.strictEqual(cellOf(nas, 'Published').text(), '2001:db8:1234:5600::211:32ff:fe12:3456 (record 1234567890)');
	assert.strictEqual(cellOf(nas, 'Last update').text(),
		'success 2025-06-01 11:55:00 (5m ago)\nchanged 2025-06-01 09:00:00 (3h ago)\nAPI calls: list 1, create 0, update 2, failed 0');
	assert.strictEqual(cellOf(nas, 'Last error').text(), 'none');
	assert.strictEqual(cellOf(nas, 'Verification').text(), 'verified\nat 2025-06-01 11:57:30 (2m ago)');

	assert.strictEqual(cellOf(home, 'Published').text(), '198.51.100.1\nPending: 198.51.100.7');
	assert.strictEqual(cellOf(home, 'Last error').text(),
		'AuthFailure.SignatureExpire: <img src=x onerror=alert(1)> (auth, AuthFailure.SignatureExpire)\n' +
		'at 2025-06-01 11:58:00 (2m ago)\n3 failures in a row\nnext retry 2025-06-01 12:04:00');
	assert.strictEqual(cellOf(home, 'Verification').text(), 'pending');
	assert.strictEqual(cellOf(home, 'Last update').text().split('\n')[0], 'success 2025-05-31 10:00:00 (1d ago)');

	assert.strictEqual(cellOf(vpn, 'Published').text(), 'unknown\nNothing to publish: no usable address on pppoe-wan');
	assert.strictEqual(cellOf(vpn, 'Last update').text().split('\n')[0], 'no success yet');
	assert.strictEqual(cellOf(vpn, 'Verification').text(), 'not configured');
});

test('the summary shows the service and the daemon', async () => {
	const { node } = await panel();
	const summary = node.all((n) => n.attrs['class'] == 'eddns-summary')[0];
	assert.strictEqual(summary.text(),
		'Running (PID 1742)\nDaemon 1.2.0, started 2025-06-01 08:00:00 (4h ago), status written 2025-06-01 11:59:55 (5s ago)\n' +
		'Local clock corrected by -3m12s, learned from provider responses.');
	const stopped = await panel({ ubus: { 'service.list': () => ({}) } });
	assert.match(stopped.node.text(), /^Not running\n/);
});

test('text from status.json is never parsed as HTML', async () => {
	const { node } = await panel();
	const html = node.all((n) => n.html != null);
	assert.deepStrictEqual(html.map((n) => n.tag + ': ' + n.html), []);
	assert.ok(node.text().includes('<img src=x onerror=alert(1)>'), 'the hostile string is shown as text');
});

test('a missing status file is a message, not a failure', async () => {
	const { node, luci } = await panel({ removeFile: STATUS });
	assert.deepStrictEqual(luci.rec.fileReads, [ STATUS ]);
	assert.strictEqual(rows(node).length, 0);
	assert.match(node.text(), /No status to show from \/var\/run\/eddns\/status\.json: NotFoundError/);
	const bad = await panel({ files: { [STATUS]: '{"schema":"x"}' } });
	assert.match(bad.node.text(), /not an eddns status file/);
	const empty = await panel({ files: { [STATUS]: JSON.stringify({ schema: 'eddns-status/1', records: [] }) } });
	assert.match(empty.node.text(), /No enabled records\./);
});

test('SIGUSR1 has the number of the router\'s architecture', () => {
	const { view } = setup();
	const cases = {
		mipsel_24kc: 16, mips_24kc: 16, mips64_octeonplus: 16, mips_mips32: 16, mips64el_mips64r2: 16,
		x86_64: 10, i386_pentium4: 10, aarch64_cortex_a53: 10, 'arm_cortex-a7_neon-vfpv4': 10, riscv64_riscv64: 10, powerpc_8548: 10
	};
	for (const arch of Object.keys(cases))
		assert.strictEqual(view.usr1Number(release(arch)), cases[arch], arch);
	assert.strictEqual(view.usr1Number('DISTRIB_ARCH="mipsel_24kc"'), 16, 'double quotes');
	assert.strictEqual(view.usr1Number(''), null);
	assert.strictEqual(view.usr1Number("DISTRIB_ID='OpenWrt'"), null);
});

test('Check now signals the daemon through procd', async () => {
	for (const [ arch, sig ] of [ [ 'mipsel_24kc', 16 ], [ 'aarch64_cortex-a53', 10 ] ]) {
		const { luci, view } = setup({ files: { [RELEASE]: release(arch) } });
		await view.handleCheck();
		const calls = luci.rec.ubusCalls.filter((c) => c.method == 'signal');
		assert.deepStrictEqual(calls, [ { object: 'service', method: 'signal', args: { name: 'eddns', instance: 'eddns', signal: sig } } ], arch);
		assert.strictEqual(luci.rec.notifications[0].cls, 'info');
	}
	const { luci, view } = setup({ removeFile: RELEASE });
	await view.handleCheck();
	assert.deepStrictEqual(luci.rec.ubusCalls.filter((c) => c.method == 'signal'), [], 'no guessing');
	assert.strictEqual(luci.rec.notifications[0].cls, 'danger');
	assert.match(luci.rec.notifications[0].body.text(), /Could not request a check/);
});

test('Restart goes through the init script', async () => {
	const { luci, view } = setup();
	await view.handleRestart();
	assert.deepStrictEqual(luci.rec.ubusCalls, [ { object: 'luci', method: 'setInitAction', args: { name: 'eddns', action: 'restart' } } ]);
	assert.strictEqual(luci.rec.notifications[0].cls, 'info');
	const failing = setup({ ubus: { 'luci.setInitAction': () => ({ result: false }) } });
	await failing.view.handleRestart();
	assert.strictEqual(failing.luci.rec.notifications[0].cls, 'danger');
});

test('the page polls status.json and replaces the panel', async () => {
	const { luci, view } = setup();
	const page = view.render(await view.load());
	assert.strictEqual(luci.rec.polls.length, 1);
	assert.strictEqual(luci.rec.polls[0].interval, 5);
	const buttons = page.all((n) => n.tag == 'button').map((b) => b.text());
	assert.deepStrictEqual(buttons, [ 'Check now', 'Restart service' ]);

	const st = JSON.parse(sample);
	st.records[0].published = '2001:db8:ffff::1';
	luci.files[STATUS] = JSON.stringify(st);
	await luci.rec.polls[0].fn();
	assert.ok(page.text().includes('2001:db8:ffff::1'), 'new value shown after a poll');
	st.records[0].published = '2001:db8:eeee::1';
	luci.files[STATUS] = JSON.stringify(st);
	await luci.rec.polls[0].fn();
	assert.ok(page.text().includes('2001:db8:eeee::1') && !page.text().includes('2001:db8:ffff::1'), 'each poll replaces the last panel');
	assert.strictEqual(page.all((n) => n.attrs.id == 'eddns-status').length, 1);
});

test('the page renders in Chinese from the catalog', async () => {
	const { parsePo } = require('./lib/i18n.js');
	const po = parsePo(fs.readFileSync(path.join(__dirname, '..', 'po', 'zh_Hans', 'eddns.po'), 'utf8'));
	const luci = createLuCI({
		catalog: Object.fromEntries(po.entries),
		files: { [STATUS]: sample },
		ubus: { 'service.list': running }
	});
	const view = luci.require('view.eddns.status');
	const node = view.renderStatus(await view.load(), NOW);
	assert.match(node.text(), /运行中 （PID 1742）/);
	assert.match(node.text(), /连续失败 3 次/);
	assert.match(node.text(), /成功于 2025-06-01 11:55:00 \(5 分钟前\)/);
});

test('a record with another record still publishing the old value shows the warning', async () => {
	const st = JSON.parse(sample);
	st.records[0].warning = 'record 111 still publishes the old value 2001:db8::1 beside record 1234567890';
	const { node } = await panel({ files: { [STATUS]: JSON.stringify(st) } });
	const nas = rows(node)[0];
	assert.strictEqual(cellOf(nas, 'Published').text(),
		'2001:db8:1234:5600::211:32ff:fe12:3456 (record 1234567890)\n' +
		'Warning: record 111 still publishes the old value 2001:db8::1 beside record 1234567890');
});
