'use strict';
/*
 * Translation helpers: extract the _('...') strings of the app's JavaScript
 * and the menu titles (LuCI translates those at run time too), render the
 * .pot template, and parse .po files.
 *
 *   node tests/lib/i18n.js > po/templates/eddns.pot    regenerate the template
 */

const fs = require('node:fs');
const path = require('node:path');

const APP = path.join(__dirname, '..', '..');

function jsFiles(dir) {
	const out = [];
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory())
			out.push(...jsFiles(p));
		else if (e.name.endsWith('.js'))
			out.push(p);
	}
	return out.sort();
}

function appJS() {
	return jsFiles(path.join(APP, 'htdocs'));
}

/* unquote reads a JavaScript string literal (the subset the views use). */
function unquote(lit) {
	const q = lit[0];
	let s = '';
	for (let i = 1; i < lit.length - 1; i++) {
		let c = lit[i];
		if (c == '\\') {
			c = lit[++i];
			s += ({ n: '\n', t: '\t', '\\': '\\', "'": "'", '"': '"' })[c] != null ? ({ n: '\n', t: '\t', '\\': '\\', "'": "'", '"': '"' })[c] : c;
		}
		else if (c == q) {
			throw new Error('unterminated literal ' + lit);
		}
		else {
			s += c;
		}
	}
	return s;
}

/* extract returns { strings, bad }: every _() argument in source order, and
 * every _( call whose argument is not a single string literal (those could
 * not be translated). */
function extract(src) {
	const strings = [], bad = [];
	const re = /(^|[^\w$.])_\(/g;
	let m;
	while ((m = re.exec(src))) {
		const rest = src.slice(m.index + m[0].length);
		const lit = /^\s*('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")\s*\)/.exec(rest);
		if (lit)
			strings.push(unquote(lit[1]));
		else
			bad.push(rest.slice(0, 40));
	}
	return { strings, bad };
}

function menuTitles() {
	const dir = path.join(APP, 'root', 'usr', 'share', 'luci', 'menu.d');
	const out = [];
	for (const f of fs.readdirSync(dir).sort()) {
		const menu = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
		for (const k of Object.keys(menu))
			if (menu[k].title)
				out.push(menu[k].title);
	}
	return out;
}

/* msgids lists the strings to translate, unique, in first-seen order. */
function msgids() {
	const seen = new Set();
	for (const f of appJS())
		for (const s of extract(fs.readFileSync(f, 'utf8')).strings)
			seen.add(s);
	for (const t of menuTitles())
		seen.add(t);
	return Array.from(seen);
}

function poQuote(s) {
	return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
}

function renderPot(ids) {
	let out = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8"\n';
	for (const id of ids)
		out += '\nmsgid ' + poQuote(id) + '\nmsgstr ""\n';
	return out;
}

function poUnquote(lit) {
	return JSON.parse(lit.replace(/\\t/g, '\\t'));
}

/* parsePo returns { header, entries: Map(msgid -> msgstr) }; it handles
 * comments, continuation lines and rejects duplicates. */
function parsePo(text) {
	const entries = new Map();
	let header = null, cur = null, field = null;
	const flush = () => {
		if (!cur)
			return;
		if (cur.msgid === '')
			header = cur.msgstr;
		else if (entries.has(cur.msgid))
			throw new Error('duplicate msgid ' + JSON.stringify(cur.msgid));
		else
			entries.set(cur.msgid, cur.msgstr);
		cur = null;
	};
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line == '' || line.startsWith('#'))
			continue;
		let m;
		if ((m = /^msgid\s+(".*")$/.exec(line))) {
			flush();
			cur = { msgid: poUnquote(m[1]), msgstr: null };
			field = 'msgid';
		}
		else if ((m = /^msgstr\s+(".*")$/.exec(line))) {
			if (!cur || cur.msgstr !== null)
				throw new Error('msgstr without msgid: ' + line);
			cur.msgstr = poUnquote(m[1]);
			field = 'msgstr';
		}
		else if ((m = /^(".*")$/.exec(line)) && cur) {
			cur[field] += poUnquote(m[1]);
		}
		else {
			throw new Error('cannot parse po line: ' + line);
		}
	}
	flush();
	return { header, entries };
}

/* specifiers lists the format conversions of a string, e.g. ['%s', '%d']. */
function specifiers(s) {
	return (s.match(/%[sdhq%]/g) || []).sort();
}

module.exports = { appJS, extract, menuTitles, msgids, renderPot, parsePo, poQuote, specifiers, APP };

if (require.main === module)
	process.stdout.write(renderPot(msgids()));
