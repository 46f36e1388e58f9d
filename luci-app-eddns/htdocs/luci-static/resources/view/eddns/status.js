'use strict';
'require view';
'require fs';
'require poll';
'require rpc';
'require ui';

/*
 * The eddns status page: what every record publishes, when it was last
 * written, the last error and the verification result, read from the
 * daemon's status.json (state.Status in the daemon's source) and refreshed
 * every few seconds. Two buttons: force a full check (SIGUSR1 to the daemon
 * through procd) and restart the service.
 */

const STATUS_FILE = '/var/run/eddns/status.json';
const RELEASE_FILE = '/etc/openwrt_release';
const POLL_SECONDS = 5;

const callServiceList = rpc.declare({
	object: 'service',
	method: 'list',
	params: [ 'name' ],
	expect: { '': {} }
});

const callServiceSignal = rpc.declare({
	object: 'service',
	method: 'signal',
	params: [ 'name', 'instance', 'signal' ]
});

const callInitAction = rpc.declare({
	object: 'luci',
	method: 'setInitAction',
	params: [ 'name', 'action' ],
	expect: { result: false }
});

/* usr1Number tells SIGUSR1's number on this router. procd's service.signal
 * takes a number, and Linux numbers SIGUSR1 differently on MIPS (16) than
 * on every other OpenWrt architecture (10); 10 on MIPS is SIGBUS. The
 * package architecture in /etc/openwrt_release says which applies.
 * Returns null when it cannot tell. */
function usr1Number(release) {
	const m = /^DISTRIB_ARCH=['"]?([A-Za-z0-9_.+-]+)/m.exec(release || '');
	if (!m)
		return null;
	return /^mips/.test(m[1]) ? 16 : 10;
}

function pad(n) {
	return (n < 10 ? '0' : '') + n;
}

/* ago renders a time as local "YYYY-MM-DD hh:mm:ss" plus how long ago. */
function ago(iso, now) {
	if (!iso)
		return null;
	const t = new Date(iso);
	if (isNaN(t.getTime()))
		return String(iso);
	const abs = '%d-%s-%s %s:%s:%s'.format(t.getFullYear(), pad(t.getMonth() + 1), pad(t.getDate()),
		pad(t.getHours()), pad(t.getMinutes()), pad(t.getSeconds()));
	const secs = Math.round((now.getTime() - t.getTime()) / 1000);
	if (secs < 0)
		return abs;
	let rel;
	if (secs < 60)
		rel = _('%ds ago').format(secs);
	else if (secs < 3600)
		rel = _('%dm ago').format(Math.floor(secs / 60));
	else if (secs < 86400)
		rel = _('%dh ago').format(Math.floor(secs / 3600));
	else
		rel = _('%dd ago').format(Math.floor(secs / 86400));
	return '%s (%s)'.format(abs, rel);
}

/* T builds an element whose content is text. Status strings come from
 * provider responses, so they must never be parsed as HTML (E() treats a
 * bare string child as markup). */
function T(tag, attrs, text) {
	return E(tag, attrs || {}, [ String(text) ]);
}

/* lines stacks several text lines in one cell, skipping empty ones. */
function lines(list) {
	const out = [];
	list.forEach(function(l) {
		if (l == null || l === '')
			return;
		if (out.length)
			out.push(E('br'));
		out.push(l);
	});
	return out;
}

function cell(title, children) {
	return E('td', { 'class': 'td', 'data-title': title }, children);
}

return view.extend({
	usr1Number: usr1Number,
	statusFile: STATUS_FILE,

	/* readStatus resolves to { status } or { error }; never rejects, so a
	 * daemon that has not written its file yet is a message, not a crash. */
	readStatus: function() {
		return fs.read(STATUS_FILE).then(function(text) {
			const st = JSON.parse(text);
			if (!st || typeof st != 'object' || !Array.isArray(st.records))
				throw new Error(_('not an eddns status file'));
			return { status: st };
		}).catch(function(err) {
			return { error: err.message || String(err) };
		});
	},

	/* readService resolves to { running, pid } for procd's eddns instance. */
	readService: function() {
		return L.resolveDefault(callServiceList('eddns'), {}).then(function(res) {
			const inst = res && res.eddns && res.eddns.instances ? res.eddns.instances.eddns : null;
			return { running: !!(inst && inst.running), pid: inst ? inst.pid : null };
		});
	},

	load: function() {
		return Promise.all([ this.readStatus(), this.readService() ]);
	},

	renderSummary: function(status, service, now) {
		const items = [];
		items.push(T('strong', {}, service.running ? _('Running') : _('Not running')));
		if (service.running && service.pid)
			items.push(' ', T('span', {}, _('(PID %d)').format(service.pid)));
		if (status) {
			items.push(E('br'), T('span', {}, _('Daemon %s, started %s, status written %s').format(
				status.version || '?', ago(status.started_at, now) || _('never'), ago(status.updated_at, now) || _('never'))));
			if (status.dry_run)
				items.push(E('br'), T('em', {}, _('Dry run: no API calls are made.')));
			if (status.clock_offset)
				items.push(E('br'), T('span', {}, _('Local clock corrected by %s, learned from provider responses.').format(status.clock_offset)));
		}
		return E('p', { 'class': 'eddns-summary' }, items);
	},

	renderRecord: function(r, now) {
		const calls = r.calls || {};
		let published = r.published || _('unknown');
		if (r.record_id)
			published = _('%s (record %s)').format(published, r.record_id);
		let pending = null;
		if (!r.desired)
			pending = _('Nothing to publish: %s').format(r.desired_reason || _('no address yet'));
		else if (r.desired != r.published)
			pending = _('Pending: %s').format(r.desired);
		const warning = r.warning ? T('span', { 'class': 'eddns-error' }, _('Warning: %s').format(r.warning)) : null;

		let error;
		if (r.last_error) {
			const what = [ r.last_error_kind, r.last_error_code ].filter(function(x) { return x }).join(', ');
			error = lines([
				T('span', { 'class': 'eddns-error' }, what ? '%s (%s)'.format(r.last_error, what) : r.last_error),
				r.last_error_at ? _('at %s').format(ago(r.last_error_at, now)) : null,
				r.failures > 0 ? _('%d failures in a row').format(r.failures) : null,
				r.next_retry ? _('next retry %s').format(ago(r.next_retry, now)) : null
			]);
		}
		else {
			error = [ _('none') ];
		}

		let verify;
		if (r.verify)
			verify = lines([ r.verify, r.verified_at ? _('at %s').format(ago(r.verified_at, now)) : null ]);
		else
			verify = [ _('not configured') ];

		return E('tr', { 'class': 'tr', 'data-section': r.section || '' }, [
			cell(_('Record'), lines([
				T('strong', {}, '%s %s'.format(r.fqdn || '?', r.type || '')),
				_('section %s, provider %s, source %s').format(r.section || '?', r.provider || '?', r.source || '?')
			])),
			cell(_('Published'), lines([ T('span', { 'class': 'eddns-published' }, published), pending, warning ])),
			cell(_('Last update'), lines([
				r.last_success ? _('success %s').format(ago(r.last_success, now)) : _('no success yet'),
				r.last_change ? _('changed %s').format(ago(r.last_change, now)) : null,
				_('API calls: list %d, create %d, update %d, failed %d').format(calls.list || 0, calls.create || 0, calls.update || 0, calls.failed || 0)
			])),
			cell(_('Last error'), error),
			cell(_('Verification'), verify)
		]);
	},

	/* renderStatus builds the whole panel for one poll. */
	renderStatus: function(data, now) {
		const res = data[0], service = data[1];
		const body = [ this.renderSummary(res.status, service, now) ];
		if (res.error) {
			body.push(T('p', { 'class': 'alert-message warning' },
				_('No status to show from %s: %s. The daemon writes it once it runs.').format(STATUS_FILE, res.error)));
			return E('div', { 'id': 'eddns-status' }, body);
		}
		const records = res.status.records;
		if (!records.length) {
			body.push(T('p', {}, _('No enabled records.')));
			return E('div', { 'id': 'eddns-status' }, body);
		}
		const head = E('tr', { 'class': 'tr table-titles' }, [
			T('th', { 'class': 'th' }, _('Record')),
			T('th', { 'class': 'th' }, _('Published')),
			T('th', { 'class': 'th' }, _('Last update')),
			T('th', { 'class': 'th' }, _('Last error')),
			T('th', { 'class': 'th' }, _('Verification'))
		]);
		body.push(E('table', { 'class': 'table' }, [ head ].concat(records.map(L.bind(function(r) {
			return this.renderRecord(r, now);
		}, this)))));
		return E('div', { 'id': 'eddns-status' }, body);
	},

	refresh: function(panel) {
		return Promise.all([ this.readStatus(), this.readService() ]).then(L.bind(function(data) {
			const fresh = this.renderStatus(data, new Date());
			panel.parentNode.replaceChild(fresh, panel);
			return fresh;
		}, this));
	},

	/* handleCheck asks the running daemon for a full check of every record. */
	handleCheck: function() {
		return fs.read(RELEASE_FILE).then(function(text) {
			const sig = usr1Number(text);
			if (sig == null)
				throw new Error(_('cannot tell the CPU architecture from %s').format(RELEASE_FILE));
			return callServiceSignal('eddns', 'eddns', sig);
		}).then(function() {
			ui.addNotification(null, T('p', {}, _('Full check requested; the table updates within a few seconds.')), 'info');
		}).catch(function(err) {
			ui.addNotification(null, T('p', {}, _('Could not request a check: %s').format(err.message || err)), 'danger');
		});
	},

	handleRestart: function() {
		return callInitAction('eddns', 'restart').then(function(ok) {
			if (!ok)
				throw new Error(_('the init script failed'));
			ui.addNotification(null, T('p', {}, _('eddns is restarting.')), 'info');
		}).catch(function(err) {
			ui.addNotification(null, T('p', {}, _('Could not restart eddns: %s').format(err.message || err)), 'danger');
		});
	},

	render: function(data) {
		let panel = this.renderStatus(data, new Date());
		poll.add(L.bind(function() {
			return this.refresh(panel).then(function(fresh) { panel = fresh });
		}, this), POLL_SECONDS);

		return E('div', { 'class': 'cbi-map' }, [
			T('h2', {}, _('eddns status')),
			T('div', { 'class': 'cbi-map-descr' },
				_('What each record publishes, read from the daemon every %d seconds.').format(POLL_SECONDS)),
			E('div', { 'class': 'cbi-section' }, [
				E('div', { 'class': 'cbi-page-actions', 'style': 'text-align:left' }, [
					E('button', { 'class': 'btn cbi-button cbi-button-action', 'click': ui.createHandlerFn(this, 'handleCheck') }, [ _('Check now') ]),
					' ',
					E('button', { 'class': 'btn cbi-button cbi-button-negative', 'click': ui.createHandlerFn(this, 'handleRestart') }, [ _('Restart service') ])
				]),
				panel
			])
		]);
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
