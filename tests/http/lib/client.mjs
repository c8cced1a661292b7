// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * client.mjs - a small browser-like HTTP client for the HTTP tests: fetch with
 * redirect: 'manual', a cookie jar that keeps every Set-Cookie attribute (so
 * tests can assert HttpOnly, SameSite, Secure, Path), redirect following
 * across hosts when asked, and HTML form submission from a page (regex
 * parsing of <form>, <input>, <button>, <select> and <textarea> is enough for
 * the pages we drive). Like a browser, cookies are matched on host and path,
 * not on port: Livery and the provider both live on 127.0.0.1.
 */

const NAV_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/* ---------------------------------------------------------------- cookies */

/*
 * Splits a combined Set-Cookie header value into cookies, for runtimes whose
 * Headers lack getSetCookie(). A comma starts a new cookie only when the
 * text after it looks like "name=" (Expires dates contain commas).
 */
function setCookieSplitCombined(value) {
	const out = [];
	let start = 0;
	for (let i = 0; i < value.length; i++) {
		if (value[i] === ',' && /^\s*[^=;,\s]+=/.test(value.slice(i + 1)) &&
		    !/expires=[A-Za-z]{3}$/i.test(value.slice(start, i).trimEnd())) {
			out.push(value.slice(start, i).trim());
			start = i + 1;
		}
	}
	out.push(value.slice(start).trim());
	return out.filter(Boolean);
}

/* Returns the Set-Cookie header lines of a fetch Response's headers. */
export function setCookieLines(headers) {
	if (typeof headers.getSetCookie === 'function')
		return headers.getSetCookie();
	const v = headers.get('set-cookie');
	return v ? setCookieSplitCombined(v) : [];
}

function pathDefault(url) {
	const p = url.pathname;
	if (!p.startsWith('/') || p.lastIndexOf('/') === 0)
		return '/';
	return p.slice(0, p.lastIndexOf('/'));
}

/*
 * Parses one Set-Cookie line received from url (a URL). Returns
 * { name, value, domain, hostOnly, path, secure, httpOnly, sameSite,
 * expires (ms since epoch, or null for a session cookie), attributes
 * (lower-cased name -> value, true for flags), raw }.
 */
export function setCookieParse(line, url) {
	const parts = line.split(';');
	const first = parts.shift();
	const eq = first.indexOf('=');
	const cookie = {
		name: (eq < 0 ? '' : first.slice(0, eq)).trim(),
		value: (eq < 0 ? first : first.slice(eq + 1)).trim(),
		domain: url.hostname,
		hostOnly: true,
		path: pathDefault(url),
		secure: false,
		httpOnly: false,
		sameSite: undefined,
		expires: null,
		attributes: {},
		raw: line,
	};
	let maxAge;
	for (const part of parts) {
		const i = part.indexOf('=');
		const key = (i < 0 ? part : part.slice(0, i)).trim().toLowerCase();
		const val = i < 0 ? true : part.slice(i + 1).trim();
		if (!key)
			continue;
		cookie.attributes[key] = val;
		switch (key) {
		case 'secure': cookie.secure = true; break;
		case 'httponly': cookie.httpOnly = true; break;
		case 'samesite': cookie.sameSite = String(val); break;
		case 'path':
			if (typeof val === 'string' && val.startsWith('/'))
				cookie.path = val;
			break;
		case 'domain':
			if (typeof val === 'string' && val) {
				cookie.domain = val.replace(/^\./, '').toLowerCase();
				cookie.hostOnly = false;
			}
			break;
		case 'max-age':
			if (/^-?[0-9]+$/.test(String(val)))
				maxAge = Number(val);
			break;
		case 'expires': {
			const t = Date.parse(String(val));
			if (!Number.isNaN(t))
				cookie.expires = t;
			break;
		}
		default:
			break;
		}
	}
	if (maxAge !== undefined)
		cookie.expires = maxAge <= 0 ? 0 : Date.now() + maxAge * 1000;
	return cookie;
}

function domainMatch(cookie, host) {
	if (cookie.hostOnly)
		return host === cookie.domain;
	return host === cookie.domain || host.endsWith(`.${cookie.domain}`);
}

function pathMatch(cookiePath, reqPath) {
	if (reqPath === cookiePath)
		return true;
	if (!reqPath.startsWith(cookiePath))
		return false;
	return cookiePath.endsWith('/') || reqPath[cookiePath.length] === '/';
}

export class CookieJar {
	constructor() {
		this.cookies = [];
	}

	/* Stores the cookies of Set-Cookie lines received from url; returns them parsed. */
	store(lines, url) {
		const u = new URL(url);
		const parsed = lines.map((l) => setCookieParse(l, u));
		for (const c of parsed) {
			if (!c.name)
				continue;
			if (c.secure && u.protocol !== 'https:')
				continue;
			this.cookies = this.cookies.filter((o) =>
				!(o.name === c.name && o.domain === c.domain && o.path === c.path));
			if (c.expires === null || c.expires > Date.now())
				this.cookies.push(c);
		}
		return parsed;
	}

	/* Sets a cookie by hand (as if url had sent it), e.g. to replay a stolen value. */
	set(name, value, url, attrs = '') {
		this.store([`${name}=${value}${attrs ? `; ${attrs}` : ''}`], url);
	}

	/* The cookies a request to url would carry, longest path first. */
	matching(url) {
		const u = new URL(url);
		const now = Date.now();
		this.cookies = this.cookies.filter((c) => c.expires === null || c.expires > now);
		return this.cookies
			.filter((c) => domainMatch(c, u.hostname) && pathMatch(c.path, u.pathname || '/')
				&& (!c.secure || u.protocol === 'https:'))
			.sort((a, b) => b.path.length - a.path.length);
	}

	/* The Cookie header value for url, or '' when none applies. */
	header(url) {
		return this.matching(url).map((c) => `${c.name}=${c.value}`).join('; ');
	}

	/* The cookie called name that would be sent to url (any cookie of that name when url is omitted). */
	get(name, url) {
		const list = url ? this.matching(url) : this.cookies;
		return list.find((c) => c.name === name);
	}

	delete(name) {
		this.cookies = this.cookies.filter((c) => c.name !== name);
	}
}

/* ------------------------------------------------------------------ forms */

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/* Decodes the HTML character references found in attribute values and text. */
export function htmlDecode(s) {
	return String(s).replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
		if (e[0] === '#') {
			const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
			return Number.isFinite(n) ? String.fromCodePoint(n) : m;
		}
		return ENTITIES[e.toLowerCase()] ?? m;
	});
}

/* Parses the attributes of a start tag's inner text into { name: value } (lower-case names). */
export function attrsParse(text) {
	const out = {};
	const re = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
	let m;
	while ((m = re.exec(text)) !== null) {
		const v = m[2] ?? m[3] ?? m[4];
		out[m[1].toLowerCase()] = v === undefined ? '' : htmlDecode(v);
	}
	return out;
}

/*
 * Finds the forms of a page. Returns [{ id, action (absolute URL), method,
 * fields: [[name, value]], submits: [{ name, value, text }], attrs }].
 * Controls outside a form that name it with form="id" are included.
 */
export function formsParse(html, baseUrl) {
	const forms = [];
	const formRe = /<form\b([^>]*)>([\s\S]*?)<\/form\s*>/gi;
	let m;
	while ((m = formRe.exec(html)) !== null) {
		const attrs = attrsParse(m[1]);
		forms.push({
			id: attrs.id,
			attrs,
			action: new URL(attrs.action || baseUrl, baseUrl).href,
			method: (attrs.method || 'get').toLowerCase(),
			inner: m[2],
			fields: [],
			submits: [],
		});
	}
	/* controls tied by form="id" wherever they sit */
	const outside = html.replace(formRe, '');
	for (const f of forms) {
		controlsCollect(f, f.inner, null);
		if (f.id)
			controlsCollect(f, outside, f.id);
		delete f.inner;
	}
	return forms;
}

function controlsCollect(form, html, formId) {
	const owned = (a) => (formId === null ? a.form === undefined || a.form === form.id : a.form === formId);
	const re = /<(input|button|select|textarea)\b([^>]*)>([\s\S]*?<\/\1\s*>)?/gi;
	let m;
	while ((m = re.exec(html)) !== null) {
		const tag = m[1].toLowerCase();
		const a = attrsParse(m[2]);
		if (!owned(a) || a.disabled !== undefined)
			continue;
		if (tag === 'button') {
			const text = htmlDecode((m[3] || '').replace(/<\/button\s*>$/i, '').replace(/<[^>]*>/g, '').trim());
			if ((a.type || 'submit').toLowerCase() === 'submit')
				form.submits.push({ name: a.name, value: a.value ?? '', text });
			continue;
		}
		if (!a.name)
			continue;
		if (tag === 'textarea') {
			form.fields.push([a.name, htmlDecode((m[3] || '').replace(/<\/textarea\s*>$/i, ''))]);
			continue;
		}
		if (tag === 'select') {
			const opts = [...(m[3] || '').matchAll(/<option\b([^>]*)>([^<]*)/gi)]
				.map((o) => ({ a: attrsParse(o[1]), text: htmlDecode(o[2].trim()) }));
			const sel = opts.find((o) => o.a.selected !== undefined) || opts[0];
			if (sel)
				form.fields.push([a.name, sel.a.value ?? sel.text]);
			continue;
		}
		const type = (a.type || 'text').toLowerCase();
		if (type === 'submit' || type === 'image') {
			form.submits.push({ name: a.name, value: a.value ?? '', text: a.value ?? '' });
			continue;
		}
		if (type === 'button' || type === 'reset' || type === 'file')
			continue;
		if ((type === 'checkbox' || type === 'radio') && a.checked === undefined)
			continue;
		form.fields.push([a.name, a.value ?? (type === 'checkbox' || type === 'radio' ? 'on' : '')]);
	}
}

/* ----------------------------------------------------------------- client */

/*
 * A browser-like client. options: { jar (a CookieJar, new by default),
 * rewrite (url string -> url string actually fetched, e.g. https -> http
 * for a Livery whose public_url is https), headers (sent on every request) }.
 */
/* Did fetch fail because the connection was closed under it? */
function socketClosed(err) {
	const code = err?.cause?.code;
	return err instanceof TypeError &&
		(code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE' ||
		 code === 'UND_ERR_CLOSED');
}

export class Client {
	constructor(options = {}) {
		this.jar = options.jar || new CookieJar();
		this.rewrite = options.rewrite || ((u) => u);
		this.headers = { 'user-agent': 'livery-http-tests', ...(options.headers || {}) };
	}

	/*
	 * Sends one request (or follows redirects when opts.follow is true, or
	 * 'same-origin' to stay on the first origin). opts: { method, headers,
	 * accept ('html' (default), 'json' or a literal), form (object or
	 * [[k, v]] sent urlencoded), json, body, origin (Origin header value),
	 * cookies (false to send none), follow, maxRedirects }.
	 * Returns a promise of { url, method, status, headers, body, location
	 * (absolute or null), cookies (Set-Cookie of this response, parsed),
	 * chain (when following: every response on the way), json(), forms() }.
	 */
	async request(url, opts = {}) {
		const chain = [];
		let method = (opts.method || 'GET').toUpperCase();
		let target = new URL(url).href;
		let body = opts.body;
		let ctype;
		if (opts.form !== undefined) {
			body = new URLSearchParams(opts.form).toString();
			ctype = 'application/x-www-form-urlencoded';
		} else if (opts.json !== undefined) {
			body = JSON.stringify(opts.json);
			ctype = 'application/json';
		}
		const firstOrigin = new URL(target).origin;
		const max = opts.maxRedirects ?? 20;
		for (;;) {
			const res = await this.once(target, method, body, ctype, opts);
			chain.push(res);
			const go = opts.follow && REDIRECTS.has(res.status) && res.location
				&& (opts.follow !== 'same-origin' || new URL(res.location).origin === firstOrigin);
			if (!go || chain.length > max) {
				res.chain = chain;
				return res;
			}
			if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
				method = 'GET';
				body = undefined;
				ctype = undefined;
			}
			target = res.location;
		}
	}

	async once(url, method, body, ctype, opts) {
		const headers = { ...this.headers };
		const accept = opts.accept ?? 'html';
		headers.accept = accept === 'html' ? NAV_ACCEPT : accept === 'json' ? 'application/json' : accept;
		if (ctype)
			headers['content-type'] = ctype;
		if (opts.origin)
			headers.origin = opts.origin;
		if (opts.cookies !== false) {
			const cookie = this.jar.header(url);
			if (cookie)
				headers.cookie = cookie;
		}
		Object.assign(headers, opts.headers || {});
		const init = {
			method,
			headers,
			body: method === 'GET' || method === 'HEAD' ? undefined : body,
			redirect: 'manual',
		};
		let r;
		try {
			r = await fetch(this.rewrite(url), init);
		} catch (err) {
			/* A kept-alive connection the server closed (its keep-alive
			 * timeout is 2 s) just as the request went out: like browsers,
			 * send an idempotent request again, once, on a new connection.
			 * Anything else, and any error of a POST, is the test's. */
			if (!(method === 'GET' || method === 'HEAD') || !socketClosed(err)) {
				if (err?.cause)
					err.message += ` (${method} ${url}: ${err.cause.code || err.cause.message})`;
				throw err;
			}
			r = await fetch(this.rewrite(url), init);
		}
		const text = await r.text();
		const loc = r.headers.get('location');
		const res = {
			url,
			method,
			status: r.status,
			headers: r.headers,
			body: text,
			location: loc ? new URL(loc, url).href : null,
			rawLocation: loc,
			cookies: this.jar.store(setCookieLines(r.headers), url),
			json() {
				return JSON.parse(text);
			},
			forms() {
				return formsParse(text, url);
			},
		};
		return res;
	}

	get(url, opts = {}) {
		return this.request(url, { ...opts, method: 'GET' });
	}

	post(url, opts = {}) {
		return this.request(url, { ...opts, method: 'POST' });
	}

	/*
	 * Submits a form of page (a response from this client). opts: { form
	 * (index, id, or predicate on the parsed form; default the first),
	 * values (fields to set or add), submit (name of the submit button to
	 * press, or { name, value }), follow, accept, headers }. Sends Origin as
	 * a browser does. Returns the response as request() does.
	 */
	submit(page, opts = {}) {
		const forms = formsParse(page.body, page.url);
		let form;
		if (typeof opts.form === 'function')
			form = forms.find(opts.form);
		else if (typeof opts.form === 'string')
			form = forms.find((f) => f.id === opts.form);
		else
			form = forms[opts.form ?? 0];
		if (!form)
			throw new Error(`no matching form on ${page.url} (status ${page.status})`);
		const fields = form.fields.filter(([k]) => !(opts.values && Object.hasOwn(opts.values, k)));
		for (const [k, v] of Object.entries(opts.values || {}))
			fields.push([k, String(v)]);
		if (opts.submit) {
			const want = typeof opts.submit === 'string' ? { name: opts.submit } : opts.submit;
			const b = form.submits.find((s) => s.name === want.name
				&& (want.value === undefined || s.value === want.value));
			if (!b)
				throw new Error(`no submit button ${want.name} in the form on ${page.url}`);
			fields.push([b.name, b.value]);
		}
		const common = { follow: opts.follow, accept: opts.accept, headers: opts.headers };
		if (form.method === 'post') {
			return this.request(form.action, {
				...common, method: 'POST', form: fields, origin: new URL(page.url).origin,
			});
		}
		const u = new URL(form.action);
		u.search = new URLSearchParams(fields).toString();
		return this.request(u.href, { ...common, method: 'GET' });
	}
}
