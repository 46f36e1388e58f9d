'use strict';
/*
 * A stand-in for the parts of LuCI's client API the eddns views use (form,
 * view, uci, fs, rpc, poll, ui, baseclass, tools.widgets), enough to run a
 * view in node and record what it declares and calls:
 *
 *   - every form section and option with its widget, choices, depends(),
 *     default, password flag and validate function;
 *   - every fs.read path and every rpc.declare'd ubus object/method, and
 *     each call made through them;
 *   - poll registrations and notifications.
 *
 * Views are loaded the way luci.js loads them: the file's 'require x as y'
 * prologue names the dependencies, the body runs as a function of L and
 * those, and the class it returns is instantiated. Only node built-ins.
 */

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const RESOURCES = path.join(__dirname, '..', '..', 'htdocs', 'luci-static', 'resources');

/* LuCI's String.prototype.format, reduced to the conversions the views use. */
if (!String.prototype.format) {
	Object.defineProperty(String.prototype, 'format', {
		value: function() {
			const args = arguments;
			let i = 0;
			return this.replace(/%(%|s|d|h|q)/g, function(m, c) {
				if (c == '%')
					return '%';
				const a = args[i++];
				switch (c) {
				case 'd': return String(Math.floor(+a || 0));
				case 'h': return String(a).replace(/[&<>"']/g, (x) => '&#' + x.charCodeAt(0) + ';');
				default: return String(a);
				}
			});
		}
	});
}

/* Node is a minimal DOM element: enough to read back what a view built. */
class Node {
	constructor(tag, attrs) {
		this.tag = tag;
		this.attrs = attrs || {};
		this.children = [];
		this.html = null; // set when a bare string was given: LuCI parses it as markup
		this.parentNode = null;
	}
	append(c) {
		if (c instanceof Node) {
			c.parentNode = this;
			this.children.push(c);
		}
		else if (c != null) {
			this.children.push(String(c));
		}
	}
	replaceChild(fresh, old) {
		const i = this.children.indexOf(old);
		if (i < 0)
			throw new Error('replaceChild: not a child');
		this.children[i] = fresh;
		fresh.parentNode = this;
		old.parentNode = null;
		return old;
	}
	text() {
		let s = this.html != null ? this.html : '';
		for (const c of this.children)
			s += (c instanceof Node) ? (c.tag == 'br' ? '\n' : c.text()) : c;
		return s;
	}
	/* all returns every descendant (and self) matching pred. */
	all(pred) {
		const out = [];
		const walk = (n) => {
			if (pred(n))
				out.push(n);
			n.children.forEach((c) => { if (c instanceof Node) walk(c) });
		};
		walk(this);
		return out;
	}
}

function isNode(x) {
	return x instanceof Node;
}

/* E follows luci.js: E(tag, [attrs], [children]); an array of children
 * becomes nodes and text nodes, a bare string becomes innerHTML. */
function E(tag, attrs, children) {
	if (Array.isArray(attrs) || typeof attrs == 'string' || isNode(attrs)) {
		children = attrs;
		attrs = null;
	}
	const n = new Node(tag, Object.assign({}, attrs || {}));
	if (Array.isArray(children)) {
		children.forEach((c) => n.append(c));
	}
	else if (isNode(children)) {
		n.append(children);
	}
	else if (children != null) {
		n.html = String(children);
	}
	return n;
}

/* Class mirrors LuCI's baseclass: extend() makes a constructor whose
 * prototype carries the given members; __init__ runs on construction. */
function makeClass(base) {
	base.extend = function(members) {
		const parent = this;
		const C = function() {
			if (typeof this.__init__ == 'function')
				this.__init__.apply(this, arguments);
		};
		C.prototype = Object.create(parent.prototype);
		Object.assign(C.prototype, members);
		C.prototype.constructor = C;
		C.super = parent;
		makeClass(C);
		return C;
	};
	return base;
}
const BaseClass = makeClass(function() {});

function createLuCI(opts) {
	opts = opts || {};
	const rec = {
		maps: [],
		fileReads: [],
		execs: [],        // command lines run through fs.exec
		declared: [],     // { object, method, params }
		ubusCalls: [],    // { object, method, args }
		polls: [],
		notifications: [],
		translated: new Set(),
		uciAdded: []
	};
	const files = Object.assign({}, opts.files || {});
	const ubus = Object.assign({}, opts.ubus || {});
	const catalog = opts.catalog || null;

	function _(s) {
		rec.translated.add(s);
		return (catalog && catalog[s]) ? catalog[s] : s;
	}

	/* uci over an in-memory config: { conf: [ { '.name', '.type', ...opts } ] } */
	const uciData = JSON.parse(JSON.stringify(opts.uci || {}));
	const uci = {
		load: (conf) => Promise.resolve(conf),
		sections: (conf, type) => (uciData[conf] || []).filter((s) => !type || s['.type'] == type),
		get: (conf, sid, opt) => {
			const s = (uciData[conf] || []).find((x) => x['.name'] == sid);
			if (!s)
				return null;
			return opt == null ? s : (s[opt] != null ? s[opt] : null);
		},
		/* set stages a value; like uci.js, get() and sections() see staged
		 * changes before they are applied. */
		set: (conf, sid, opt, val) => {
			const sec = (uciData[conf] || []).find((x) => x['.name'] == sid);
			if (sec)
				sec[opt] = val;
		},
		add: (conf, type, name) => {
			(uciData[conf] = uciData[conf] || []).push({ '.name': name, '.type': type });
			rec.uciAdded.push({ conf, type, name });
			return name;
		}
	};

	class AbstractValue {
		constructor(section, option, title, description) {
			this.section = section;
			this.map = section.map;
			this.option = option;
			this.title = title;
			this.description = description;
			this.deps = [];
			this.keylist = [];
			this.vallist = [];
			this.rmempty = true;
		}
		value(key, label) {
			this.keylist.push(String(key));
			this.vallist.push(label != null ? label : key);
		}
		/* load is CBIAbstractValue.load (luci-base form.js): the saved
		 * value, staged changes included (uci.js get). Maps call it for
		 * every option of every section each time they load, the modal's
		 * map included. */
		load(section_id) {
			return uci.get(this.map.config, section_id, this.option);
		}
		depends(field, value) {
			if (typeof field == 'object')
				this.deps.push(Object.assign({}, field));
			else
				this.deps.push({ [field]: value });
		}
	}
	const widgetClass = (name, base) => {
		const C = class extends (base || AbstractValue) {};
		Object.defineProperty(C, 'name', { value: name });
		C.widget = name;
		return C;
	};
	const Value = widgetClass('Value');
	const ListValue = widgetClass('ListValue', Value);
	const form = {
		Value: Value,
		ListValue: ListValue,
		Flag: widgetClass('Flag', Value),
		DynamicList: widgetClass('DynamicList', Value),
		DummyValue: widgetClass('DummyValue'),
		Button: widgetClass('Button', Value)
	};
	const widgets = {
		DeviceSelect: widgetClass('DeviceSelect', ListValue),
		NetworkSelect: widgetClass('NetworkSelect', ListValue),
		ZoneSelect: widgetClass('ZoneSelect', ListValue)
	};

	class AbstractSection {
		constructor(map, kind, sectiontype, name, title, description) {
			this.map = map;
			this.kind = kind;
			this.sectiontype = sectiontype;
			this.name = name;
			this.title = title;
			this.description = description;
			this.children = [];
		}
		option(cls, option, title, description) {
			if (typeof cls != 'function' || !cls.widget)
				throw new Error('option ' + option + ': not a form widget class');
			const o = new cls(this, option, title, description);
			o.widget = cls.widget;
			this.children.push(o);
			return o;
		}
		/* openModal models GridSection.renderMoreOptionsModal (luci-base
		 * form.js): a new Map with a NamedSection for section_id, the
		 * options copied by cloneOptions (a new option of the same class,
		 * then every own property of the original but map, section,
		 * option, title and description), and the map loaded, which
		 * calls load() of every option. Resolves to the modal's section. */
		async openModal(section_id) {
			const m = new form.Map(this.map.config);
			rec.maps.pop(); // a modal is not one of the page's maps
			const ns = m.section(form.NamedSection, section_id, this.sectiontype);
			for (const o1 of this.children) {
				const o2 = ns.option(o1.constructor, o1.option, o1.title, o1.description);
				for (const k of Object.keys(o1))
					if (![ 'map', 'section', 'option', 'title', 'description' ].includes(k))
						o2[k] = o1[k];
			}
			for (const o of ns.children)
				await o.load(section_id);
			return ns;
		}
		/* formvalue reads the values a test put "into the form". */
		formvalue(section_id, option) {
			const fv = this.map.formvalues[section_id];
			return (fv && option in fv) ? fv[option] : null;
		}
	}
	form.TypedSection = function(map, type, title, description) {
		return new AbstractSection(map, 'TypedSection', type, null, title, description);
	};
	form.GridSection = function(map, type, title, description) {
		return new AbstractSection(map, 'GridSection', type, null, title, description);
	};
	form.TableSection = function(map, type, title, description) {
		return new AbstractSection(map, 'TableSection', type, null, title, description);
	};
	form.NamedSection = function(map, name, type, title, description) {
		return new AbstractSection(map, 'NamedSection', type, name, title, description);
	};
	form.Map = class {
		constructor(config, title, description) {
			this.config = config;
			this.title = title;
			this.description = description;
			this.children = [];
			this.formvalues = {};
			rec.maps.push(this);
		}
		section(cls) {
			const args = Array.prototype.slice.call(arguments, 1);
			const s = cls.apply(null, [ this ].concat(args));
			this.children.push(s);
			return s;
		}
		/* load is CBIMap.load (luci-base form.js), which render() runs
		 * first: every section loads every option for each of its
		 * section ids (CBIAbstractSection.load). */
		async load() {
			for (const sec of this.children) {
				const ids = sec.name ? [ sec.name ] : uci.sections(this.config, sec.sectiontype).map((x) => x['.name']);
				for (const id of ids)
					for (const o of sec.children)
						await o.load(id);
			}
		}
		async render() {
			await this.load();
			return E('div', { 'class': 'cbi-map', 'data-config': this.config }, [ this.title || '' ]);
		}
	};

	/* session models rpcd's ACL check for the logged-in user (rpcd
	 * session.c rpc_session_acl_allowed: fnmatch of object and function
	 * within a scope). opts.acl is the list of ACL groups the user holds,
	 * each shaped like a group of /usr/share/rpcd/acl.d/*.json ({ read:
	 * {...}, write: {...} }); without it every call is allowed, as for
	 * root. */
	const acl = opts.acl || null;
	function allowed(scope, object, func) {
		if (!acl)
			return true;
		for (const group of acl) {
			for (const level of [ 'read', 'write' ]) {
				const grants = (group[level] || {})[scope];
				if (!grants || Array.isArray(grants))
					continue;
				for (const [ obj, funcs ] of Object.entries(grants))
					if (fnmatch(obj, object) && funcs.some((f) => fnmatch(f, func)))
						return true;
			}
		}
		return false;
	}

	/* raise models L.raise (luci-base luci.js): the error's message is the
	 * formatted text followed by the captured JavaScript stack, one
	 * "  at ..." line per frame. That is what a view that shows
	 * err.message would print. */
	function raise(type, msg) {
		const e = new Error(msg);
		e.name = type;
		e.message += '\n  at handleCallReply (https://192.168.1.1/luci-static/resources/rpc.js:98:7)' +
			'\n  at parseCallReply (https://192.168.1.1/luci-static/resources/rpc.js:84:5)';
		return e;
	}

	/* ubusCall is one JSON-RPC call as rpc.js makes it. uhttpd-mod-ubus
	 * refuses a method the session may not call with the JSON-RPC error
	 * -32002 "Access denied", which rpc.js handleCallReply turns into
	 * L.raise('RPCError', 'RPC call to %s/%s failed with error %d: %s').
	 * Otherwise the handler's reply is the result; a number is a ubus
	 * status code, which rpc.js resolves as is (no `reject` option). */
	function ubusCall(object, method, args, handler) {
		return Promise.resolve().then(() => {
			if (!allowed('ubus', object, method))
				throw raise('RPCError', 'RPC call to %s/%s failed with error %d: %s'.format(object, method, -32002, 'Access denied'));
			if (!handler)
				throw raise('RPCError', 'RPC call to %s/%s failed with error %d: %s'.format(object, method, -32000, 'Object not found'));
			return handler(args);
		});
	}

	/* statusText is rpc.js getStatusText for the codes rpcd's file object
	 * returns. */
	const statusText = { 4: 'Resource not found', 6: 'Permission denied', 8: 'Not supported' };
	const statusName = { 4: 'NotFoundError', 6: 'PermissionError', 8: 'UnsupportedError' };

	/* fsReply is fs.js handleRpcReply: a non-zero numeric status becomes an
	 * Error whose message is the status text (no stack) and whose name says
	 * the kind. */
	function fsReply(rc) {
		if (typeof rc == 'number' && rc != 0) {
			const e = new Error(statusText[rc] || 'Unknown error code');
			e.name = statusName[rc] || 'Error';
			throw e;
		}
		return rc;
	}

	/* The rpcd file object (rpcd file.c): read checks the path's "read"
	 * grant and answers UBUS_STATUS_NOT_FOUND for a missing file; exec
	 * allows the executable if it is granted "exec" alone, or else the
	 * whole command line "executable arg ..." (rpc_file_exec_run), and
	 * answers UBUS_STATUS_PERMISSION_DENIED otherwise. */
	const execs = Object.assign({}, opts.exec || {});
	const fileObject = {
		read: (args) => {
			if (!allowed('file', args.path, 'read'))
				return 6;
			if (!(args.path in files))
				return 4;
			const v = files[args.path];
			return { data: String(v) };
		},
		exec: (args) => {
			const cmdline = [ args.command ].concat(args.params || []).join(' ');
			if (!allowed('file', args.command, 'exec') && !allowed('file', cmdline, 'exec'))
				return 6;
			const h = execs[cmdline];
			if (!h)
				return 4;
			return typeof h == 'function' ? h() : h;
		}
	};

	/* fs follows luci-base fs.js: read and exec are ubus calls to rpcd's
	 * file object, replies go through handleRpcReply. */
	const fsMod = {
		read: (p) => {
			rec.fileReads.push(p);
			return ubusCall('file', 'read', { path: p }, fileObject.read).then(fsReply).then((r) => r.data);
		},
		exec: (command, params) => {
			rec.execs.push([ command ].concat(params || []).join(' '));
			return ubusCall('file', 'exec', { command, params }, fileObject.exec).then(fsReply);
		}
	};

	const rpc = {
		declare: (d) => {
			rec.declared.push({ object: d.object, method: d.method, params: d.params || [] });
			return function() {
				const args = {};
				(d.params || []).forEach((p, i) => { if (arguments[i] !== undefined) args[p] = arguments[i] });
				rec.ubusCalls.push({ object: d.object, method: d.method, args: args });
				return ubusCall(d.object, d.method, args, ubus[d.object + '.' + d.method]).then((res) => {
					/* expect: { key: default } unwraps res[key]; '' keeps res. */
					if (d.expect) {
						const k = Object.keys(d.expect)[0];
						if (k !== '' && res != null)
							return (k in res) ? res[k] : d.expect[k];
					}
					return res;
				});
			};
		}
	};

	const poll = {
		add: (fn, interval) => { rec.polls.push({ fn, interval }) }
	};

	const ui = {
		addNotification: (title, body, cls) => { rec.notifications.push({ title, body, cls }) },
		createHandlerFn: (ctx, fn) => {
			const f = typeof fn == 'string' ? ctx[fn] : fn;
			return function() { return f.apply(ctx, arguments) };
		}
	};

	const L = {
		bind: function(fn, ctx) {
			const extra = Array.prototype.slice.call(arguments, 2);
			return function() { return fn.apply(ctx, extra.concat(Array.prototype.slice.call(arguments))) };
		},
		resolveDefault: (p, d) => Promise.resolve(p).catch(() => d),
		toArray: (x) => x == null ? [] : Array.isArray(x) ? x : [ x ],
		isObject: (x) => x != null && typeof x == 'object',
		env: {}
	};

	const view = BaseClass.extend({});
	const registry = {
		baseclass: BaseClass,
		view: view,
		form: form,
		uci: uci,
		fs: fsMod,
		rpc: rpc,
		poll: poll,
		ui: ui,
		'tools.widgets': widgets
	};
	const loaded = {};

	/* require loads a module from htdocs/luci-static/resources the way
	 * luci.js does, or hands out a stand-in. */
	function requireModule(name) {
		if (name in registry)
			return registry[name];
		if (name in loaded)
			return loaded[name];
		/* opts.resources maps a module name to another file: a test
		 * swaps the generated eddns.providers for one with a test-only
		 * provider type. */
		const file = (opts.resources || {})[name] || path.join(RESOURCES, name.replace(/\./g, '/') + '.js');
		const src = fs.readFileSync(file, 'utf8');
		const deps = parseRequires(src);
		const names = [ 'L', '_', 'N_', 'E' ].concat(deps.map((d) => d.as));
		const values = [ L, _, (n, s) => _(s), E ].concat(deps.map((d) => requireModule(d.name)));
		const fn = vm.runInThisContext('(function(' + names.join(', ') + ') {' + src + '\n})', { filename: file });
		const C = fn.apply(null, values);
		if (typeof C != 'function' || !(C.prototype instanceof BaseClass) && C !== BaseClass)
			throw new Error(name + ': module does not return a class');
		loaded[name] = new C();
		return loaded[name];
	}

	return { require: requireModule, rec: rec, E: E, Node: Node, uciData: uciData, files: files, ubus: ubus, fs: fsMod, rpc: rpc };
}

/* fnmatch is fnmatch(3) without flags other than FNM_NOESCAPE, as rpcd
 * matches ACL entries: * and ? match any characters including '/'. */
function fnmatch(pattern, str) {
	const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	return new RegExp('^' + re + '$').test(str);
}

/* parseRequires reads a module's 'require x [as y]' prologue. */
function parseRequires(src) {
	const out = [];
	for (const line of src.split('\n')) {
		const t = line.trim();
		if (t == '' || t == "'use strict';" || t.startsWith('//'))
			continue;
		const m = /^'require\s+([\w.]+)(?:\s+as\s+(\w+))?';$/.exec(t);
		if (!m)
			break;
		if (m[1].indexOf('.') >= 0 && !m[2])
			throw new Error("dotted require '" + m[1] + "' needs 'as <name>'");
		out.push({ name: m[1], as: m[2] || m[1] });
	}
	return out;
}

/* sampleUCI is a configuration with one section of each kind, the state a
 * user reaches after saving providers and an HTTPDNS account. */
const sampleUCI = {
	eddns: [
		{ '.name': 'global', '.type': 'global', enabled: '1' },
		{ '.name': 'ali', '.type': 'provider', type: 'alidns', access_key_id: 'LTAIexample', access_key_secret: 'x' },
		{ '.name': 'tx', '.type': 'provider', type: 'tencentcloud', secret_id: 'AKIDexample', secret_key: 'y' },
		{ '.name': 'yunaq', '.type': 'httpdns', url: 'http://dns.example/sign_d', account_id: '0123456789abcdef0123456789abcdef', secret: 'z' },
		{ '.name': 'cfg0a1b2c', '.type': 'record', provider: 'ali', zone: 'example.com', name: 'nas', type: 'AAAA', source: 'interface', device: 'pppoe-wan' }
	]
};

/* describeConfigView loads the config view, renders it and returns the
 * declared model as plain data (no functions). */
async function describeConfigView(opts) {
	const luci = createLuCI(Object.assign({ uci: sampleUCI }, opts || {}));
	const v = luci.require('view.eddns.config');
	await v.load();
	await v.render();
	const m = luci.rec.maps[0];
	return {
		luci: luci,
		view: v,
		map: m,
		model: {
			config: m.config,
			sections: m.children.map((s) => ({
				kind: s.kind,
				type: s.sectiontype,
				name: s.name,
				anonymous: !!s.anonymous,
				addremove: !!s.addremove,
				options: s.children.map((o) => ({
					name: o.option,
					widget: o.widget,
					values: o.keylist.slice(),
					depends: o.deps.map((d) => Object.assign({}, d)),
					default: o.default != null ? String(o.default) : null,
					password: !!o.password,
					rmempty: !!o.rmempty,
					validate: typeof o.validate == 'function'
				}))
			}))
		}
	};
}

module.exports = { createLuCI, fnmatch, parseRequires, describeConfigView, sampleUCI, Node, E, RESOURCES };
