'use strict';
/*
 * compare(schema, model) lists every way the configuration view (model, from
 * describeConfigView) departs from the daemon's schema (`eddns schema`):
 * an option the daemon does not know, one the view misses, enum values that
 * differ, a wrong widget, default, depends() rule, password flag or
 * required-ness. An empty list means they agree.
 *
 * Run as a program, it reads a schema file (or - for stdin), renders the
 * view and prints the problems, exiting 1 if there are any; schema_test.go
 * uses that with the live config.Schema(). EDDNS_PROVIDERS_JS names a
 * providers.js to load instead of the shipped one (the seam test).
 */

/* dnf expands depends_on {a: [x, y], b: [z]} into the alternatives LuCI's
 * depends() takes: [{a: x, b: z}, {a: y, b: z}]. */
function dnf(dependsOn) {
	let alts = [ {} ];
	for (const key of Object.keys(dependsOn || {}).sort()) {
		const next = [];
		for (const alt of alts)
			for (const v of dependsOn[key])
				next.push(Object.assign({}, alt, { [key]: v }));
		alts = next;
	}
	return alts.length == 1 && Object.keys(alts[0]).length == 0 ? [] : alts;
}

function canon(dep) {
	return JSON.stringify(Object.keys(dep).sort().map((k) => [ k, String(dep[k]) ]));
}

/* widgetsFor names the widgets that can edit an option of the schema. */
function widgetsFor(opt) {
	if (opt.references)
		return [ 'ListValue' ];
	switch (opt.kind) {
	case 'bool': return [ 'Flag' ];
	case 'enum': return [ 'ListValue' ];
	case 'list': return [ 'DynamicList' ];
	case 'string':
		if (opt.format == 'device')
			return [ 'DeviceSelect', 'Value' ];
		if (opt.format == 'uci_name')
			return [ 'NetworkSelect', 'Value' ];
		return [ 'Value' ];
	default: return [ 'Value' ];
	}
}

/* needsValidate: kinds whose values the view must check itself; flags and
 * enums can only hold the values they offer. */
function needsValidate(opt) {
	return !opt.references && opt.kind != 'bool' && opt.kind != 'enum';
}

function compare(schema, model, sample) {
	const problems = [];
	const bad = (s) => problems.push(s);

	if (model.config != schema.package)
		bad(`view maps config ${model.config}, the daemon reads ${schema.package}`);

	const viewByType = {};
	for (const s of model.sections) {
		if (viewByType[s.type])
			bad(`view declares section type ${s.type} twice`);
		viewByType[s.type] = s;
	}
	const schemaTypes = schema.sections.map((s) => s.type);
	for (const t of Object.keys(viewByType))
		if (schemaTypes.indexOf(t) < 0)
			bad(`view edits section type ${t}, which the daemon does not know`);

	for (const ss of schema.sections) {
		const vs = viewByType[ss.type];
		if (!vs) {
			bad(`view misses section type ${ss.type}`);
			continue;
		}
		if (ss.name && (vs.kind != 'NamedSection' || vs.name != ss.name))
			bad(`${ss.type}: the daemon wants one section named ${ss.name}; view uses ${vs.kind} ${vs.name || ''}`);
		if (!ss.name && vs.anonymous != ss.anonymous)
			bad(`${ss.type}: sections are ${ss.anonymous ? 'anonymous' : 'named'} for the daemon, ${vs.anonymous ? 'anonymous' : 'named'} in the view`);

		const vopts = {};
		for (const o of vs.options) {
			if (vopts[o.name])
				bad(`${ss.type}.${o.name} declared twice`);
			vopts[o.name] = o;
		}
		const known = ss.options.map((o) => o.name);
		for (const name of Object.keys(vopts))
			if (known.indexOf(name) < 0)
				bad(`${ss.type}.${name}: view edits an option the daemon does not know`);

		for (const so of ss.options) {
			const vo = vopts[so.name];
			const id = `${ss.type}.${so.name}`;
			if (!vo) {
				bad(`${id}: view misses this option`);
				continue;
			}
			const ws = widgetsFor(so);
			if (ws.indexOf(vo.widget) < 0)
				bad(`${id}: widget ${vo.widget}, expected ${ws.join(' or ')} for kind ${so.kind}`);
			if (so.kind == 'enum') {
				const want = JSON.stringify(so.values), got = JSON.stringify(vo.values);
				if (want != got)
					bad(`${id}: view offers ${got}, the daemon accepts ${want}`);
			}
			if (so.references && sample) {
				const names = sample.filter((s) => s['.type'] == so.references).map((s) => s['.name']);
				const fixed = so.values || [];
				const offered = vo.values.filter((v) => v !== '' && fixed.indexOf(v) < 0);
				for (const f of fixed)
					if (vo.values.indexOf(f) < 0)
						bad(`${id}: view does not offer ${JSON.stringify(f)}`);
				if (JSON.stringify(offered) != JSON.stringify(names))
					bad(`${id}: offers ${JSON.stringify(offered)}, expected the ${so.references} sections ${JSON.stringify(names)}`);
				if (!so.required && vo.values.indexOf('') < 0)
					bad(`${id}: optional reference without an empty choice`);
			}
			if (!!so.secret != vo.password)
				bad(`${id}: ${so.secret ? 'a secret must be a password field' : 'not a secret but shown as a password field'}`);
			const wantDefault = so.default != null && so.default !== '' ? so.default : null;
			if (wantDefault !== vo.default)
				bad(`${id}: default ${JSON.stringify(vo.default)} in the view, ${JSON.stringify(wantDefault)} in the daemon`);
			const wantDeps = dnf(so.depends_on).map(canon).sort();
			const gotDeps = vo.depends.map(canon).sort();
			if (JSON.stringify(wantDeps) != JSON.stringify(gotDeps))
				bad(`${id}: depends ${JSON.stringify(gotDeps)} in the view, ${JSON.stringify(wantDeps)} in the daemon`);
			if (so.required && vo.rmempty)
				bad(`${id}: required by the daemon but optional in the view`);
			if (!so.required && !vo.rmempty && so.kind != 'bool')
				bad(`${id}: optional for the daemon but required in the view`);
			if (needsValidate(so) && !vo.validate)
				bad(`${id}: kind ${so.kind}${so.format ? '/' + so.format : ''} has no validator in the view`);
		}
	}
	return problems;
}

module.exports = { compare, dnf, widgetsFor };

if (require.main === module) {
	const fs = require('node:fs');
	const { describeConfigView, sampleUCI } = require('./luci.js');
	const src = process.argv[2] || '-';
	const schema = JSON.parse(fs.readFileSync(src == '-' ? 0 : src, 'utf8'));
	const resources = process.env.EDDNS_PROVIDERS_JS ? { 'eddns.providers': process.env.EDDNS_PROVIDERS_JS } : {};
	describeConfigView({ resources }).then((d) => {
		const problems = compare(schema, d.model, sampleUCI.eddns);
		problems.forEach((p) => process.stdout.write(p + '\n'));
		process.exit(problems.length ? 1 : 0);
	}).catch((err) => {
		process.stderr.write(String(err && err.stack || err) + '\n');
		process.exit(2);
	});
}
