'use strict';
/* The LuCI feed Makefile follows luci.mk conventions, and the ipk
 * description matches it (schema_test.go builds on the file list). */
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

const APP = path.join(__dirname, '..');
const mk = fs.readFileSync(path.join(APP, 'Makefile'), 'utf8');
const spec = JSON.parse(fs.readFileSync(path.join(APP, 'ipk.json'), 'utf8'));

const mkvar = (name) => {
	const m = new RegExp('^' + name + ':=(.*)$', 'm').exec(mk);
	return m ? m[1].trim() : null;
};

test('Makefile uses luci.mk', () => {
	assert.match(mk, /^include \$\(TOPDIR\)\/rules\.mk$/m);
	assert.match(mk, /^include \.\.\/\.\.\/luci\.mk$/m);
	assert.match(mk, /^# call BuildPackage - OpenWrt buildroot signature$/m);
	assert.ok(mkvar('LUCI_TITLE'));
	assert.strictEqual(mkvar('LUCI_DEPENDS'), '+eddns +luci-base');
	assert.strictEqual(mkvar('LUCI_PKGARCH'), 'all');
});

test('the ipk description agrees with the Makefile', () => {
	assert.strictEqual(spec.package, 'luci-app-eddns');
	assert.strictEqual(spec.architecture, mkvar('LUCI_PKGARCH'));
	assert.deepStrictEqual(spec.depends, mkvar('LUCI_DEPENDS').split(/\s+/).map((d) => d.replace(/^\+/, '')));
	assert.strictEqual(spec.section, 'luci');
	assert.match(spec.description.split('\n')[0], /eddns/);
});

test('postinst refreshes LuCI only on a live router', () => {
	const sh = fs.readFileSync(path.join(APP, 'postinst-pkg'), 'utf8');
	assert.match(sh, /if \[ -z "\$\{IPKG_INSTROOT\}" \]; then/);
	assert.match(sh, /rm -f \/tmp\/luci-indexcache\.\*/);
	assert.match(sh, /rm -rf \/tmp\/luci-modulecache\//);
	assert.match(sh, /\/etc\/init\.d\/rpcd reload/);
});
