'use strict';
'require baseclass';

/*
 * Value checks for the eddns configuration page. Each one mirrors a rule of
 * `eddns check` (config/values.go, config/parse.go in the daemon's source),
 * so that a value LuCI accepts is one the daemon accepts. A check returns
 * true or a message; an empty value is the caller's business (required
 * options say so themselves), because UCI deletes empty options.
 *
 * tests/validation_cases.json lists values with the verdict of both sides;
 * the Go test feeds them to the daemon's parser and the node tests to these
 * functions.
 */

function hasControl(s) {
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		if (c < 0x20 || c == 0x7f)
			return true;
	}
	return false;
}

function isASCII(s) {
	return !/[^\x00-\x7f]/.test(s);
}

/* Byte length in UTF-8: Linux counts device names in bytes. */
function byteLength(s) {
	return new TextEncoder().encode(s).length;
}

/* badEscape finds a '%' not followed by two hex digits; Go's url.Parse
 * refuses those in the host, path and fragment. */
function badEscape(s) {
	return /%(?![0-9a-fA-F]{2})/.test(s);
}

function checkLabel(l, underscore) {
	if (l == '')
		return _('empty label');
	if (l.length > 63)
		return _('label longer than 63 characters');
	if (l[0] == '-' || l[l.length - 1] == '-')
		return _('label starts or ends with "-"');
	const re = underscore ? /^[a-z0-9_-]+$/ : /^[a-z0-9-]+$/;
	if (!re.test(l))
		return _('character not allowed: %s').format(l.replace(underscore ? /[a-z0-9_-]/g : /[a-z0-9-]/g, '')[0]);
	return null;
}

/* parseIPv4 reads a dotted quad the way Go's net/netip does: exactly four
 * decimal fields of 0..255 without leading zeros. Returns 4 bytes or null. */
function parseIPv4(s) {
	const parts = s.split('.');
	if (parts.length != 4)
		return null;
	const out = [];
	for (const p of parts) {
		if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] == '0'))
			return null;
		const n = +p;
		if (n > 255)
			return null;
		out.push(n);
	}
	return out;
}

/* parseIPv6 returns 16 bytes or null; zones are refused (the daemon does
 * too: a DNS record cannot carry one). */
function parseIPv6(s) {
	if (s.indexOf('%') >= 0 || s.indexOf(':') < 0)
		return null;
	const halves = s.split('::');
	if (halves.length > 2)
		return null;
	const groups = function(str, last) {
		if (str == '')
			return [];
		const out = [];
		const fields = str.split(':');
		for (let i = 0; i < fields.length; i++) {
			const f = fields[i];
			if (last && i == fields.length - 1 && f.indexOf('.') >= 0) {
				const v4 = parseIPv4(f);
				if (!v4)
					return null;
				out.push(v4[0] << 8 | v4[1], v4[2] << 8 | v4[3]);
				continue;
			}
			if (!/^[0-9a-fA-F]{1,4}$/.test(f))
				return null;
			out.push(parseInt(f, 16));
		}
		return out;
	};
	let words;
	if (halves.length == 1) {
		words = groups(s, true);
		if (!words || words.length != 8)
			return null;
	}
	else {
		const head = groups(halves[0], false), tail = groups(halves[1], true);
		/* "::" stands for at least one group of zeros. */
		if (!head || !tail || head.length + tail.length > 7)
			return null;
		words = head.concat(new Array(8 - head.length - tail.length).fill(0), tail);
	}
	const bytes = [];
	for (const w of words)
		bytes.push(w >> 8, w & 0xff);
	return bytes;
}

/* parseIP returns { v4: bool, bytes } or null; an IPv4-mapped IPv6 literal
 * stays IPv6, as in Go. */
function parseIP(s) {
	const v4 = parseIPv4(s);
	if (v4)
		return { v4: true, bytes: v4 };
	const v6 = parseIPv6(s);
	if (v6)
		return { v4: false, bytes: v6 };
	return null;
}

function normName(s) {
	return String(s).toLowerCase().replace(/\.$/, '');
}

return baseclass.extend({
	parseIP: parseIP,

	/* integer mirrors parseInt plus the schema's min/max. */
	integer: function(value, min, max) {
		if (!/^-?[0-9]{1,18}$/.test(value))
			return _('%s is not a whole number').format(value);
		const n = +value;
		if (n < min || n > max)
			return _('%d is out of range %d..%d').format(n, min, max);
		return true;
	},

	/* resyncInterval adds the daemon's floor: 0 switches the timer off. */
	resyncInterval: function(value) {
		const r = this.integer(value, 0, 604800);
		if (r !== true)
			return r;
		if (+value > 0 && +value < 60)
			return _('%d seconds is too aggressive; use 0 (off) or at least 60').format(+value);
		return true;
	},

	/* text is a free-text string option: no control characters, no
	 * surrounding blanks (a pasted key often brings a trailing space). */
	text: function(value) {
		if (value.trim() != value)
			return _('Has leading or trailing white space');
		if (hasControl(value))
			return _('Must not contain control characters');
		return true;
	},

	/* secret reads like text; the value is never quoted back. */
	secret: function(value) {
		if (hasControl(value))
			return _('Must not contain line breaks or control characters');
		if (value.trim() != value)
			return _('Has leading or trailing white space');
		return true;
	},

	path: function(value) {
		if (value[0] != '/' || hasControl(value))
			return _('Must be an absolute path');
		return true;
	},

	domain: function(value) {
		const d = normName(value);
		if (!isASCII(d))
			return _('Must be an ASCII domain name; write internationalised names in their xn-- form');
		if (d.indexOf('.') < 0)
			return _('Not a domain name like example.com');
		if (d.length > 253)
			return _('Longer than 253 characters');
		for (const l of d.split('.')) {
			const msg = checkLabel(l, false);
			if (msg)
				return _('Not a valid domain name: %s').format(msg);
		}
		return true;
	},

	/* hostname is a name relative to the zone: "@", labels that may hold
	 * "_" (service labels) and a leading "*". A name that repeats the
	 * zone is refused, as the daemon does. */
	hostname: function(value, zone) {
		if (value == '@')
			return true;
		const n = normName(value);
		if (!isASCII(n))
			return _('Must be ASCII; write internationalised names in their xn-- form');
		const labels = n.split('.');
		for (let i = 0; i < labels.length; i++) {
			if (i == 0 && labels[i] == '*')
				continue;
			const msg = checkLabel(labels[i], true);
			if (msg)
				return _('Not a valid host name: %s (use @ for the zone apex)').format(msg);
		}
		if (zone && this.domain(zone) === true) {
			const z = normName(zone);
			if (n == z)
				return _('Relative to the zone %s: write %s').format(z, '@');
			if (n.endsWith('.' + z))
				return _('Relative to the zone %s: write %s').format(z, n.slice(0, -z.length - 1));
		}
		return true;
	},

	/* device is a Linux interface name: IFNAMSIZ-1 bytes. */
	device: function(value) {
		if (byteLength(value) > 15 || value == '.' || value == '..' || /[\/: \t]/.test(value) || hasControl(value))
			return _('Not a Linux device name (at most 15 characters, no "/", ":" or spaces)');
		return true;
	},

	uciName: function(value) {
		if (!/^[A-Za-z0-9_]*$/.test(value))
			return _('Not a UCI interface name like wan6');
		return true;
	},

	hex32: function(value) {
		if (!/^[0-9a-fA-F]{32}$/.test(value))
			return _('Must be 32 hexadecimal characters');
		return true;
	},

	/* label is one lower-case DNS label, e.g. a region like cn-north-4. */
	label: function(value) {
		const msg = checkLabel(value, false);
		if (msg)
			return _('Not a name like cn-north-4: %s').format(msg);
		return true;
	},

	/* httpHeader is a header line "Name: value": the name an RFC 9110
	 * token, the value without control characters. Not quoted back: the
	 * value may be a credential. */
	httpHeader: function(value) {
		const i = value.indexOf(':');
		if (i <= 0 || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(value.slice(0, i)) || hasControl(value.slice(i + 1)))
			return _("Must be an HTTP header line like 'Authorization: Bearer TOKEN'");
		return true;
	},

	/* hostPort is a host name or IP address with an optional :port
	 * ([v6]:port for an IPv6 address with a port). */
	hostPort: function(value) {
		const bad = _('Must be a host name or IP address, optionally with :port');
		let host = value, port = null;
		const m = /^\[([^\]]*)\]:([0-9]+)$/.exec(value);
		if (m) {
			host = m[1];
			port = m[2];
		}
		else if (value[0] == '[') {
			return bad;
		}
		else if (value.split(':').length == 2) {
			host = value.split(':')[0];
			port = value.split(':')[1];
		}
		if (port != null && (!/^[1-9][0-9]{0,4}$/.test(port) || +port > 65535))
			return bad;
		const ip = parseIP(host);
		if (ip && !(m && ip.v4))
			return true;
		if (m)
			return bad;
		const n = normName(host);
		if (n.indexOf('.') < 0)
			return checkLabel(n, false) ? bad : true;
		return this.domain(host) === true ? true : bad;
	},

	/* base64 is standard padded base64, as Go's StdEncoding reads it. */
	base64: function(value) {
		if (!/^(?:[A-Za-z0-9+\/]{4})*(?:[A-Za-z0-9+\/]{2}==|[A-Za-z0-9+\/]{3}=)?$/.test(value) || value == '')
			return _('Must be base64 (A-Z, a-z, 0-9, + and /, padded with =)');
		return true;
	},

	/* byKind checks a value of an option declared by kind and format in
	 * eddns/providers.js, the way config.readValue does in the daemon. */
	byKind: function(opt, value) {
		switch (opt.kind) {
		case 'secret':
			/* a secret may have a format too (base64); neither quotes it */
			const r = this.secret(value);
			if (r !== true || !opt.format)
				return r;
			break;
		case 'url': return this.url(value);
		case 'int': return this.integer(value, opt.min, opt.max);
		}
		switch (opt.format) {
		case 'domain': return this.domain(value);
		case 'hex32': return this.hex32(value);
		case 'label': return this.label(value);
		case 'http_header': return this.httpHeader(value);
		case 'host_port': return this.hostPort(value);
		case 'base64': return this.base64(value);
		case undefined: case null: case '': return this.text(value);
		}
		return _('Unknown format %s').format(opt.format);
	},

	/* address is the static value of a record; family must match type. */
	address: function(value, type) {
		const ip = parseIP(value);
		if (!ip)
			return _('%s is not an IP address').format(value);
		if (ip.bytes.every(function(b) { return b == 0 }))
			return _('%s is the unspecified address').format(value);
		if (type == 'A' && !ip.v4)
			return _('%s is not an IPv4 address, but type is A').format(value);
		if (type == 'AAAA' && ip.v4)
			return _('%s is an IPv4 address, but type is AAAA').format(value);
		return true;
	},

	/* mac is a unicast 48-bit MAC address written with ':' or '-', as
	 * config.NormalizeMAC accepts it. */
	mac: function(value) {
		const m = /^([0-9A-Fa-f]{2})([:-])[0-9A-Fa-f]{2}(\2[0-9A-Fa-f]{2}){4}$/.exec(value);
		if (!m || (parseInt(m[1], 16) & 1) || /^(00[:-]){5}00$/.test(value))
			return _('%s is not a MAC address like aa:bb:cc:dd:ee:ff').format(value);
		return true;
	},

	/* suffix is an IPv6 host part: the upper 64 bits must be zero. */
	suffix: function(value) {
		const ip = parseIP(value);
		if (!ip)
			return _('%s is not an IP address').format(value);
		if (ip.v4 || ip.bytes.slice(0, 8).some(function(b) { return b != 0 }))
			return _('%s is not an IPv6 host part: the upper 64 bits must be zero, e.g. ::211:32ff:fe12:3456').format(value);
		return true;
	},

	/* url accepts absolute http(s) URLs with a host and no credentials,
	 * like Go's url.Parse plus the daemon's scheme rule. */
	url: function(value) {
		if (hasControl(value) || /[ \t]/.test(value))
			return _('Must be an http or https URL without spaces or control characters');
		const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^\/?#]*)/.exec(value);
		if (!m || !/^https?$/i.test(m[1]) || m[2] == '')
			return _('Must be an http:// or https:// URL with a host');
		const auth = m[2];
		if (auth.indexOf('@') >= 0)
			return _('Must not contain a user name or password');
		/* The port, if any, is digits; a bracketed IPv6 host ends with ']'. */
		let port = null;
		if (auth[0] == '[') {
			const end = auth.indexOf(']');
			if (end < 0)
				return _('Must be an http:// or https:// URL with a host');
			const rest = auth.slice(end + 1);
			if (rest != '' && rest[0] != ':')
				return _('Must be an http:// or https:// URL with a host');
			port = rest.slice(1);
		}
		else if (auth.lastIndexOf(':') >= 0) {
			port = auth.slice(auth.lastIndexOf(':') + 1);
		}
		if (port != null && !/^[0-9]*$/.test(port))
			return _('Must be an http:// or https:// URL with a host');
		/* Characters Go accepts in a host; anything else is an error there. */
		if (/[^A-Za-z0-9!$&'()*+,;=:\[\]<>"\-_.~%\x80-\uffff]/.test(auth) || badEscape(auth))
			return _('Must be an http:// or https:// URL with a host');
		const rest = value.slice(m[0].length).replace(/\?[^#]*/, '');
		if (badEscape(rest))
			return _('Must be an http:// or https:// URL with a host');
		return true;
	}
});
