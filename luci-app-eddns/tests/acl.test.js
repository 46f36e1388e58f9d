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
async function exercise() {
	const luci = createLuCI({
		files: {
			'/var/run/eddns/status.json': fs.readFileSync(path.join(__dirname, 'testdata', 'status.json'), 'utf8'),
			'/etc/openwrt_release': "DISTRIB_ARCH='x86_64'\n"
		},
		ubus: { 'service.list': () => ({}), 'service.signal': () => ({}), 'luci.setInitAction': () => ({ result: true }) }
	});
	const status = luci.require('view.eddns.status');
	status.render(await status.load());
	await luci.rec.polls[0].fn();
	await status.handleCheck();
	await status.handleRestart();
	const cfg = await describeConfigView();
	return {
		files: new Set(luci.rec.fileReads.concat(cfg.luci.rec.fileReads)),
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

test('file grants are exactly the files the pages read', async () => {
	const { files } = await exercise();
	assert.deepStrictEqual(sourceScan().fsCalls.filter((f) => f != 'read'), [], 'only fs.read is used');
	const granted = grants('read', 'file');
	assert.deepStrictEqual(Object.keys(granted).sort(), Array.from(files).sort());
	for (const p of Object.keys(granted))
		assert.deepStrictEqual(granted[p], [ 'read' ], p + ': read only, never exec or write');
	assert.strictEqual(grants('write', 'file'), undefined);
});

test('ubus grants are exactly the methods the pages declare', async () => {
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
	assert.deepStrictEqual(flat('read').concat(flat('write')).sort(), scanned);
	/* Actions need write access: a read-only LuCI user may look, not act. */
	assert.deepStrictEqual(flat('write'), [ 'luci.setInitAction', 'service.signal' ]);
	/* luci-rpc getHostHints feeds the MAC picker of host records. */
	assert.deepStrictEqual(flat('read'), [ 'luci-rpc.getHostHints', 'service.list' ]);
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
