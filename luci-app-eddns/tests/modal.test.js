'use strict';
/* A provider or HTTPDNS account saved in its own modal is selectable in a
 * record's modal at once, without Save & Apply: the modal clones the
 * record options and loads them again (GridSection.renderMoreOptionsModal
 * in luci-base form.js; modelled by openModal in lib/luci.js), and uci.js
 * lists sections added in this session. */
const test = require('node:test');
const assert = require('node:assert');
const { describeConfigView } = require('./lib/luci.js');

const section = (map, type) => map.children.find((s) => s.sectiontype == type);
const option = (sec, name) => sec.children.find((o) => o.option == name);

test('a provider saved in its modal is offered in the record modal', async () => {
	const { luci, map } = await describeConfigView();
	const records = section(map, 'record');
	const before = await records.openModal('cfg0a1b2c');
	assert.deepStrictEqual(option(before, 'provider').keylist, [ 'ali', 'tx' ]);

	/* The provider and HTTPDNS modals' Save stage the new sections
	 * (uci.add, uci.set), nothing is applied yet. */
	const uci = luci.require('uci');
	uci.add('eddns', 'provider', 'cf');
	uci.set('eddns', 'cf', 'type', 'tencentcloud');
	uci.add('eddns', 'httpdns', 'dnsx');

	const after = await records.openModal('cfg0a1b2c');
	assert.deepStrictEqual(option(after, 'provider').keylist, [ 'ali', 'tx', 'cf' ]);
	assert.deepStrictEqual(option(after, 'provider').vallist.slice(-1), [ 'cf (tencentcloud)' ]);
	assert.deepStrictEqual(option(after, 'verify').keylist, [ '', 'authoritative', 'yunaq', 'dnsx' ]);
	/* The record's own value still loads. */
	assert.strictEqual(await option(after, 'provider').load('cfg0a1b2c'), 'ali');
});
