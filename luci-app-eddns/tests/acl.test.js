'use strict';
/* The rpcd ACL grants exactly what the pages use: the files they read, the
 * ubus methods they declare (read-only ones at read level, actions at write
 * level) and uci eddns; the menu points at the views and requires the ACL. */
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { createLuCI, describeConfigView } = require('./lib/luci.js');
const { appJS } = require('./lib/i18n.js');

const APP = path.join(__dirname, '..');
const aclFile = path.join(APP, 'root', 'usr', 'share', 'rpcd', 'acl.d', 'luci-app-eddns.json');
const menuFile = path.join(APP, 'root', 'usr', 'share', 'luci', 'menu.d', 'luci-app-eddns.json');
const acl = JSON.parse(fs.readFileSync(aclFile, 'utf8'));
const menu = JSON.parse(fs.readFileSync(menuFile, 'utf8'));

/* exercise runs both pages through everything they can do and returns the
 * stand-in's record of file reads and ubus declarations and calls. */
async function exercise(opts) {
	const luci = createLuCI(Object.assign({
		files: {
			'/var/run/eddns-luci/status.json': fs.readFileSync(path.join(__dirname, 'testdata', 'status.json'), 'utf8')
		},
		ubus: { 'service.list': () => ({}) },
		exec: { '/etc/init.d/eddns check': { code: 0 }, '/etc/init.d/eddns restart': { code: 0 } }
	}, opts || {}));
	const status = luci.require('view.eddns.status');
	const page = status.render(await status.load());
	await luci.rec.polls[0].fn();
	await status.handleCheck();
	await status.handleRestart();
	const cfg = await describeConfigView();
	return {
		luci: luci,
		page: page,
		files: new Set(luci.rec.fileReads.concat(cfg.luci.rec.fileReads)),
		execs: new Set(luci.rec.execs.concat(cfg.luci.rec.execs)),
		declared: luci.rec.declared.concat(cfg.luci.rec.declared),
		called: luci.rec.ubusCalls
	};
}

/* sourceScan reads the ubus objects/methods and fs functions straight from
 * the sources, so a call the exercise above misses still needs a grant. */
function sourceScan() {
	const rpc = [], fsCalls = [];
	for (const f of appJS()) {
		const src = fs.readFileSync(f, 'utf8');
		for (const m of src.matchAll(/rpc\.declare\(\{([^}]*)\}/g)) {
			const obj = /object:\s*'([^']+)'/.exec(m[1]), meth = /method:\s*'([^']+)'/.exec(m[1]);
			assert.ok(obj && meth, 'rpc.declare with literal object and method in ' + f);
			rpc.push(obj[1] + '.' + meth[1]);
		}
		for (const m of src.matchAll(/\bfs\.(\w+)\(/g))
			fsCalls.push(m[1]);
	}
	return { rpc, fsCalls };
}

function grants(level, scope) {
	return (acl['luci-app-eddns'][level] || {})[scope];
}

test('the ACL is one group named after the app, used by the menu', () => {
	assert.deepStrictEqual(Object.keys(acl), [ 'luci-app-eddns' ]);
	assert.deepStrictEqual(menu['admin/services/eddns'].depends.acl, [ 'luci-app-eddns' ]);
	assert.deepStrictEqual(menu['admin/services/eddns'].depends.uci, { eddns: true });
});

test('file grants are exactly the files the pages read and the commands they run', async () => {
	const { files, execs } = await exercise();
	assert.deepStrictEqual(Array.from(new Set(sourceScan().fsCalls)).sort(), [ 'exec', 'read' ]);
	const read = grants('read', 'file');
	assert.deepStrictEqual(Object.keys(read).sort(), Array.from(files).sort());
	for (const p of Object.keys(read))
		assert.deepStrictEqual(read[p], [ 'read' ], p + ': read only');
	/* rpcd matches "executable args" when the executable alone is not
	 * granted (file.c rpc_file_exec_run): the init script with exactly
	 * these actions, no wildcard. */
	const exec = grants('write', 'file');
	assert.deepStrictEqual(Object.keys(exec).sort(), Array.from(execs).sort());
	for (const c of Object.keys(exec)) {
		assert.deepStrictEqual(exec[c], [ 'exec' ], c);
		assert.doesNotMatch(c, /[*?[]/, c + ': no pattern');
	}
});

test('ubus grants are exactly the methods the pages use', async () => {
	const { declared, called } = await exercise();
	const scanned = sourceScan().rpc.sort();
	const seen = Array.from(new Set(declared.map((d) => d.object + '.' + d.method))).sort();
	assert.deepStrictEqual(seen, scanned, 'every declaration in the sources was exercised');
	for (const c of called)
		assert.ok(seen.includes(c.object + '.' + c.method), 'called but not declared: ' + c.object + '.' + c.method);

	const flat = (level) => {
		const u = grants(level, 'ubus') || {};
		return Object.keys(u).flatMap((o) => u[o].map((m) => o + '.' + m)).sort();
	};
	/* fs.read and fs.exec are rpcd's file object (luci-base fs.js). */
	/* luci-rpc getHostHints feeds the MAC picker of host records. */
	assert.deepStrictEqual(flat('read'), [ 'file.read', 'luci-rpc.getHostHints', 'service.list' ]);
	/* Actions need write access, and none can reach another service: no
	 * service.signal, no luci.setInitAction (both take any service name). */
	assert.deepStrictEqual(flat('write'), [ 'file.exec' ]);
});

test('a user holding only this ACL sees the status and can use both buttons', async () => {
	const { luci, page } = await exercise({ acl: [ acl['luci-app-eddns'] ] });
	assert.strictEqual(page.all((n) => n.attrs['data-section'] != null).length, 3, 'records shown');
	assert.doesNotMatch(page.text(), /No status to show/);
	assert.deepStrictEqual(luci.rec.notifications.map((n) => n.cls), [ 'info', 'info' ], luci.rec.notifications.map((n) => n.body.text()).join('; '));
});

test('this ACL grants nothing beyond eddns', async () => {
	const luci = createLuCI({
		acl: [ acl['luci-app-eddns'] ],
		files: { '/etc/shadow': 'root:x', '/var/run/eddns/status.json': '{}' },
		exec: { '/etc/init.d/dnsmasq restart': { code: 0 }, '/etc/init.d/eddns stop': { code: 0 }, '/etc/init.d/eddns check; reboot': { code: 0 } },
		ubus: { 'service.signal': () => 0, 'luci.setInitAction': () => ({ result: true }) }
	});
	for (const p of [ '/etc/shadow', '/var/run/eddns/status.json' ])
		await assert.rejects(luci.fs.read(p), { name: 'PermissionError' }, p);
	for (const [ cmd, args ] of [ [ '/etc/init.d/dnsmasq', [ 'restart' ] ], [ '/etc/init.d/eddns', [ 'stop' ] ], [ '/etc/init.d/eddns', [ 'check;', 'reboot' ] ] ])
		await assert.rejects(luci.fs.exec(cmd, args), { name: 'PermissionError' }, cmd + ' ' + args.join(' '));
	const signal = luci.rpc.declare({ object: 'service', method: 'signal', params: [ 'name', 'signal' ] });
	await assert.rejects(signal('dnsmasq', 9), { name: 'RPCError', message: /Access denied/ });
	const init = luci.rpc.declare({ object: 'luci', method: 'setInitAction', params: [ 'name', 'action' ] });
	await assert.rejects(init('dnsmasq', 'stop'), { name: 'RPCError', message: /Access denied/ });
});

test('uci: read and write eddns, nothing else', () => {
	assert.deepStrictEqual(grants('read', 'uci'), [ 'eddns' ]);
	assert.deepStrictEqual(grants('write', 'uci'), [ 'eddns' ]);
	const scopes = [ 'read', 'write' ].flatMap((l) => Object.keys(acl['luci-app-eddns'][l]));
	assert.deepStrictEqual(Array.from(new Set(scopes)).sort(), [ 'file', 'ubus', 'uci' ]);
});

test('menu entries open the views that exist, under Services', () => {
	const views = [];
	for (const [ key, entry ] of Object.entries(menu)) {
		assert.match(key, /^admin\/services\/eddns(\/|$)/);
		assert.ok(entry.title, key + ' has a title');
		if (entry.action.type == 'view') {
			const file = path.join(APP, 'htdocs', 'luci-static', 'resources', 'view', entry.action.path + '.js');
			assert.ok(fs.existsSync(file), key + ' -> ' + entry.action.path);
			views.push(entry.action.path);
		}
	}
	const files = fs.readdirSync(path.join(APP, 'htdocs', 'luci-static', 'resources', 'view', 'eddns')).map((f) => 'eddns/' + f.replace(/\.js$/, ''));
	assert.deepStrictEqual(views.sort(), files.sort(), 'every view has a menu entry');
	assert.strictEqual(menu['admin/services/eddns'].action.type, 'firstchild');
});
