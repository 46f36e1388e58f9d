'use strict';
'require view';
'require form';
'require uci';
'require rpc';
'require tools.widgets as widgets';
'require eddns.validate as check';
'require eddns.providers as providers';

/*
 * The eddns configuration page: a form.Map over /etc/config/eddns. The
 * options declared here are exactly those of `eddns schema` (the daemon's
 * config.Schema()); tests/schema.test.js and schema_test.go fail when the
 * two drift apart. The provider fields are not written here: they come
 * from eddns/providers.js, generated from the declarations of the provider
 * types (providers.Spec in the daemon), so a new provider type needs no
 * edit of this file. Every check runs again in the daemon (`eddns check`,
 * which the init script applies before a reload), so the rules below only
 * spare the user a round trip.
 */

/* sibling returns what the form currently holds for another option of the
 * same section, falling back to the saved value. */
function sibling(opt, section_id, name) {
	const v = opt.section.formvalue(section_id, name);
	return (v != null) ? v : uci.get('eddns', section_id, name);
}

function isEmpty(v) {
	return v == null || v === '' || (Array.isArray(v) && v.length == 0);
}

/* checked installs a validator; required options refuse an empty value,
 * optional ones accept it without running fn. */
function checked(opt, required, fn) {
	opt.rmempty = !required;
	opt.validate = function(section_id, value) {
		if (isEmpty(value))
			return required ? _('This option is required') : true;
		return fn.call(this, section_id, value);
	};
	return opt;
}

/* oneOfDevice checks the record's "device or network" rule from either
 * field; exactly one must be set while the source reads an interface. */
function oneOfDevice(opt, section_id, value, other) {
	const mine = !isEmpty(value), theirs = !isEmpty(sibling(opt, section_id, other));
	if (mine && theirs)
		return _('Set either a device or a network, not both');
	if (!mine && !theirs)
		return _('Set a device or a network');
	return true;
}

/* providerOption adds one field declared in eddns/providers.js: the widget
 * follows the kind, the check follows kind and format (check.byKind), and
 * the field shows for the provider types that take it. */
function providerOption(s, po) {
	let o;
	switch (po.kind) {
	case 'enum':
		o = s.option(form.ListValue, po.name, po.label, po.help);
		po.values.forEach(function(v) { o.value(v) });
		o.rmempty = !po.required;
		break;
	case 'bool':
		o = s.option(form.Flag, po.name, po.label, po.help);
		o.rmempty = false;
		break;
	case 'list':
		o = s.option(form.DynamicList, po.name, po.label, po.help);
		break;
	default:
		o = s.option(form.Value, po.name, po.label, po.help);
	}
	if (po.kind != 'enum' && po.kind != 'bool') {
		const item = (po.kind == 'list') ? Object.assign({}, po, { kind: po.item }) : po;
		checked(o, !!po.required, function(sid, v) { return check.byKind(item, v) });
		if (po.required_for) {
			/* Required for some of the types that take it: the daemon
			 * says so with the type; so does the page. */
			const inner = o.validate;
			o.validate = function(section_id, value) {
				if (isEmpty(value) && po.required_for.indexOf(sibling(this, section_id, 'type')) >= 0)
					return _('This option is required');
				return inner.call(this, section_id, value);
			};
		}
	}
	/* LuCI's DynamicList ignores password (ui.DynamicList has no masked
	 * mode): webhook header lines stay readable in the form, which is why
	 * the webhook has a masked token option for them to use as {token}. */
	if (po.secret)
		o.password = true;
	if (po.default != null) {
		o.default = po.default;
		o.placeholder = po.default;
	}
	(po.types || []).forEach(function(t) { o.depends('type', t) });
	o.modalonly = true;
	return o;
}

/* sectionChoices fills a ListValue with the sections of one type each time
 * a form loads it, not once at render: GridSection.renderMoreOptionsModal
 * (luci-base form.js) clones the options into a new map and loads them for
 * every modal it opens, and uci.sections() includes sections added in this
 * session but not yet applied. So a provider or HTTPDNS account saved in
 * its own modal can be chosen in a record's modal right after, without
 * Save & Apply or a page reload. fixed choices ([value, label]) come first. */
function sectionChoices(opt, type, label, fixed) {
	opt.load = function(section_id) {
		this.keylist = [];
		this.vallist = [];
		(fixed || []).forEach(L.bind(function(f) { this.value(f[0], f[1]) }, this));
		uci.sections('eddns', type).forEach(L.bind(function(sec) {
			this.value(sec['.name'], label(sec));
		}, this));
		return form.ListValue.prototype.load.apply(this, [ section_id ]);
	};
	return opt;
}

/* callHostHints lists the hosts the router knows (DHCP leases, neighbour
 * table, ethers) by MAC: luci-rpc getHostHints, the source of LuCI's own
 * MAC pickers. */
const callHostHints = rpc.declare({
	object: 'luci-rpc',
	method: 'getHostHints',
	expect: { '': {} }
});

return view.extend({
	load: function() {
		return Promise.all([
			uci.load('eddns'),
			/* Without the hints the MAC field is still a free text field. */
			callHostHints().catch(function() { return {} })
		]);
	},

	render: function(data) {
		let m, s, o;
		const hints = (Array.isArray(data) && data[1]) || {};

		/* The daemon needs its global section; create it if a hand-written
		 * config lacks one, so the first save produces a complete file. */
		if (uci.get('eddns', 'global') == null)
			uci.add('eddns', 'global', 'global');

		m = new form.Map('eddns', _('eddns: dynamic DNS'),
			_('eddns publishes the addresses of this router and its network at your DNS provider the moment they change. Save & Apply reloads the daemon; a configuration that fails its checks leaves the running daemon as it was.'));

		/* Global settings. */
		s = m.section(form.NamedSection, 'global', 'global', _('Global settings'));
		s.addremove = false;

		o = s.option(form.Flag, 'enabled', _('Enabled'), _('Run the daemon at all.'));
		o.default = '1';
		o.rmempty = false;

		o = s.option(form.ListValue, 'log_level', _('Log level'), _('Least severe messages written to the system log.'));
		o.value('debug', _('Debug'));
		o.value('info', _('Info'));
		o.value('warn', _('Warning'));
		o.value('error', _('Error'));
		o.default = 'info';

		o = checked(s.option(form.Value, 'state_dir', _('State directory'),
			_('Holds the state cache and status.json; tmpfs is fine. The status page works with any directory.')),
			false, function(sid, v) { return check.path(v) });
		o.default = '/var/run/eddns';
		o.placeholder = '/var/run/eddns';

		o = checked(s.option(form.Value, 'resync_interval', _('Resync interval'),
			_('Seconds between full checks of every record, a safety net next to the address events; 0 turns it off.')),
			false, function(sid, v) { return check.resyncInterval(v) });
		o.default = '3600';
		o.placeholder = '3600';

		/* Providers: named sections, because records refer to them by name. */
		s = m.section(form.GridSection, 'provider', _('Providers'),
			_('DNS provider accounts. A record names the provider that holds its zone.'));
		s.addremove = true;
		s.anonymous = false;
		s.nodescriptions = true;
		s.modaltitle = function(section_id) {
			return _('Provider') + ' » ' + section_id;
		};

		o = s.option(form.ListValue, 'type', _('API'));
		providers.types.forEach(function(t) {
			o.value(t.type, '%s (%s)'.format(t.title, t.type));
		});
		o.rmempty = false;

		providers.options.forEach(function(po) {
			providerOption(s, po);
		});

		/* Records. */
		s = m.section(form.GridSection, 'record', _('Records'),
			_('Each record keeps one DNS name and type pointing at an address of this router or its network.'));
		s.addremove = true;
		s.anonymous = true;
		s.sortable = true;
		s.nodescriptions = true;
		s.modaltitle = _('Record');

		o = s.option(form.Flag, 'enabled', _('Enabled'));
		o.default = '1';
		o.rmempty = false;
		o.editable = true;

		o = sectionChoices(s.option(form.ListValue, 'provider', _('Provider'), _('A provider section defined above (save it first).')),
			'provider', function(p) { return p.type ? '%s (%s)'.format(p['.name'], p.type) : p['.name'] });
		o.rmempty = false;

		o = checked(s.option(form.Value, 'zone', _('Zone'), _('The zone as the provider knows it, e.g. example.com.')),
			true, function(sid, v) { return check.domain(v) });

		o = checked(s.option(form.Value, 'name', _('Host name'), _('Label(s) within the zone; @ is the zone itself.')),
			false, function(sid, v) { return check.hostname(v, sibling(this, sid, 'zone')) });
		o.default = '@';
		o.placeholder = '@';

		o = s.option(form.ListValue, 'type', _('Type'));
		o.value('A', _('A (IPv4)'));
		o.value('AAAA', _('AAAA (IPv6)'));
		o.rmempty = false;

		o = checked(s.option(form.Value, 'ttl', _('TTL'),
			_('Time to live in seconds. Free plans of alidns and DNSPod refuse less than 600 (set ttl to 600 or more); alidns allows at most 86400.')),
			false, function(sid, v) { return check.integer(v, 1, 604800) });
		o.default = '600';
		o.placeholder = '600';
		o.modalonly = true;

		o = checked(s.option(form.Value, 'line', _('Resolution line'),
			_('The line whose record this entry manages; empty means the default line. alidns: a line code such as telecom; tencentcloud: a RecordLineId such as 10=0; qcloud_cns: a line name such as 电信. Records on other lines are left alone.')),
			false, function(sid, v) { return /\s/.test(v.trim()) ? _('A line has no spaces') : check.text(v) });
		o.modalonly = true;

		o = s.option(form.ListValue, 'source', _('Address source'));
		o.value('interface', _('Address of a network device'));
		o.value('prefix', _('Delegated IPv6 prefix + suffix'));
		o.value('url', _('Public address from echo URLs'));
		o.value('static', _('Fixed address'));
		o.value('host', _('A LAN host, by MAC address'));
		o.default = 'interface';
		o.validate = function(section_id, value) {
			if (value == 'prefix' && sibling(this, section_id, 'type') == 'A')
				return _('A prefix works only for AAAA records: an IPv4 address has no delegated prefix');
			/* LuCI does not refuse an empty list by itself. */
			if (value == 'url' && isEmpty(sibling(this, section_id, 'url')))
				return _('Add at least one echo URL');
			return true;
		};

		o = s.option(widgets.DeviceSelect, 'device', _('Device'),
			_('Linux network device, e.g. pppoe-wan or br-lan. Set this or a network.'));
		o.noaliases = true;
		o.optional = true;
		o.rmempty = true;
		o.depends('source', 'interface');
		o.depends('source', 'prefix');
		o.depends('source', 'host');
		o.modalonly = true;
		o.validate = function(section_id, value) {
			if (!isEmpty(value)) {
				const r = check.device(value);
				if (r !== true)
					return r;
			}
			/* A host record has no network option; its device defaults to br-lan. */
			if (sibling(this, section_id, 'source') == 'host')
				return true;
			return oneOfDevice(this, section_id, value, 'network');
		};

		o = s.option(widgets.NetworkSelect, 'network', _('Network'),
			_('UCI interface such as wan6, resolved to its device. Set this or a device.'));
		o.optional = true;
		o.rmempty = true;
		o.nocreate = true;
		o.depends('source', 'interface');
		o.depends('source', 'prefix');
		o.modalonly = true;
		o.validate = function(section_id, value) {
			if (!isEmpty(value)) {
				const r = check.uciName(value);
				if (r !== true)
					return r;
			}
			return oneOfDevice(this, section_id, value, 'device');
		};

		o = s.option(form.ListValue, 'prefer', _('Preferred address'),
			_('Which IPv6 address of the device to publish.'));
		o.value('stable', _('Stable (not a privacy address)'));
		o.value('temporary', _('Temporary (privacy address)'));
		o.value('any', _('Any'));
		o.default = 'stable';
		o.depends({ source: 'interface', type: 'AAAA' });
		o.depends({ source: 'host', type: 'AAAA' });
		o.modalonly = true;

		o = checked(s.option(form.Value, 'mac', _('MAC address'),
			_('The LAN host to follow, on the device above (default br-lan). Pick a known host or type its MAC address.')),
			true, function(sid, v) { return check.mac(v) });
		Object.keys(hints).sort().forEach(function(mac) {
			const h = hints[mac] || {};
			const addr = (h.ipaddrs || [])[0] || (h.ip6addrs || [])[0];
			const label = [ h.name, addr ].filter(function(x) { return x }).join(', ');
			o.value(mac.toLowerCase(), label ? '%s (%s)'.format(mac.toLowerCase(), label) : mac.toLowerCase());
		});
		o.depends('source', 'host');
		o.modalonly = true;

		o = checked(s.option(form.Value, 'suffix', _('IPv6 suffix'),
			_('Host part joined to the live prefix; the upper 64 bits must be zero, e.g. ::211:32ff:fe12:3456.')),
			true, function(sid, v) { return check.suffix(v) });
		o.depends('source', 'prefix');
		o.modalonly = true;

		o = checked(s.option(form.DynamicList, 'url', _('Echo URLs'),
			_('Services that answer with the public address as plain text, tried in order.')),
			true, function(sid, v) { return check.url(v) });
		o.depends('source', 'url');
		o.modalonly = true;

		o = checked(s.option(form.Value, 'value', _('Address'),
			_('The address to publish; IPv4 for A, IPv6 for AAAA.')),
			true, function(sid, v) { return check.address(v, sibling(this, sid, 'type')) });
		o.depends('source', 'static');
		o.modalonly = true;

		o = sectionChoices(s.option(form.ListValue, 'verify', _('Verify with'),
			_('An HTTPDNS section used to check that the published value resolves, or the zone\'s authoritative name servers asked directly.')),
			'httpdns', function(h) { return h['.name'] }, [ [ '', _('none') ], [ 'authoritative', _('Authoritative name servers') ] ]);
		o.optional = true;
		o.rmempty = true;
		o.modalonly = true;

		/* HTTPDNS accounts for verification. */
		s = m.section(form.GridSection, 'httpdns', _('HTTPDNS verification'),
			_('HTTPDNS accounts used to check that published records resolve.'));
		s.addremove = true;
		s.anonymous = false;
		s.nodescriptions = true;
		s.modaltitle = function(section_id) {
			return _('HTTPDNS') + ' » ' + section_id;
		};

		o = checked(s.option(form.Value, 'url', _('Query URL')),
			true, function(sid, v) { return check.url(v) });

		o = checked(s.option(form.Value, 'account_id', _('Account ID'), _('32 hexadecimal characters.')),
			true, function(sid, v) { return check.hex32(v) });

		o = checked(s.option(form.Value, 'secret', _('Secret')),
			true, function(sid, v) { return check.secret(v) });
		o.password = true;
		o.modalonly = true;

		o = s.option(form.Flag, 'encrypt', _('Encrypted responses'), _('Ask for AES-encrypted response bodies.'));
		o.default = '0';

		o = checked(s.option(form.Value, 'timeout', _('Timeout'), _('Seconds one query may take.')),
			false, function(sid, v) { return check.integer(v, 1, 60) });
		o.default = '5';
		o.placeholder = '5';
		o.modalonly = true;

		o = checked(s.option(form.Value, 'verify_window', _('Verification window'),
			_('Seconds to wait for a written value to become visible. Empty means the record\'s TTL plus 150 s: resolvers keep the old answer for the TTL and the service caches answers for up to 2 minutes.')),
			false, function(sid, v) { return check.integer(v, 1, 3600) });
		o.placeholder = _('TTL + 150');
		o.modalonly = true;

		return m.render();
	}
});
