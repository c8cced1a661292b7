// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * provider.mjs - the "real" test identity provider: oidc-provider (a certified
 * OpenID Provider) on loopback, used by the demo (scripts/demo) and the HTTP
 * and browser tests.
 *
 *   node tests/idp/provider.mjs --port 9090 --client-id livery \
 *        --client-secret S --livery-url http://127.0.0.1:8080
 *
 * (or LV_IDP_PORT, LV_IDP_CLIENT_ID, LV_IDP_CLIENT_SECRET, LV_IDP_LIVERY_URL,
 * LV_IDP_HOST, LV_IDP_KEY_FILE in the environment). The issuer is
 * http://<host>:<port>; plain http is fine on loopback. It registers one
 * confidential client (client_secret_basic, code flow, PKCE S256 required)
 * with Livery's callback, post-logout and back-channel logout URIs, has its
 * own login page (a plain HTML form checked against accounts.mjs), grants
 * consent automatically to that first-party client, and supports
 * RP-initiated and back-channel logout. The RS256 signing key is generated at
 * start, or kept in --key-file if given. Prints "provider ready <issuer>" on
 * stdout once listening. Everything secret here is DEMO-ONLY.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { pathToFileURL } from 'node:url';

import Provider from 'oidc-provider';

import { DEMO_PASSWORD, PROFILE_CLAIMS, accountBySub, accountByUsername } from './accounts.mjs';
import {
	bodyRead, formParse, htmlEscape, htmlSend, optionsParse, portParse, strEqual,
} from './util.mjs';

const OPTIONS = {
	host: { env: 'LV_IDP_HOST', def: '127.0.0.1' },
	port: { env: 'LV_IDP_PORT', def: '9090' },
	'client-id': { env: 'LV_IDP_CLIENT_ID', def: 'livery' },
	/* DEMO-ONLY default secret. */
	'client-secret': { env: 'LV_IDP_CLIENT_SECRET', def: 'livery-demo-secret' },
	'livery-url': { env: 'LV_IDP_LIVERY_URL', def: 'http://127.0.0.1:8080' },
	'key-file': { env: 'LV_IDP_KEY_FILE', def: '' },
};

/*
 * Returns a private RS256 JWK: read from keyFile when it exists, otherwise
 * generated (and written to keyFile, mode 0600, when one is named).
 */
function signingKeyLoad(keyFile) {
	if (keyFile && fs.existsSync(keyFile))
		return JSON.parse(fs.readFileSync(keyFile, 'utf8'));
	const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
	const jwk = {
		...privateKey.export({ format: 'jwk' }),
		kid: `real-${crypto.randomBytes(6).toString('hex')}`,
		alg: 'RS256',
		use: 'sig',
	};
	if (keyFile)
		fs.writeFileSync(keyFile, JSON.stringify(jwk), { mode: 0o600 });
	return jwk;
}

function pageWrap(title, body) {
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${htmlEscape(title)}</title>
<style>
body { font-family: system-ui, sans-serif; background: #f3f4f6; margin: 0; }
main { max-width: 22rem; margin: 4rem auto; background: #fff; padding: 1.5rem 2rem;
       border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
h1 { font-size: 1.3rem; }
label { display: block; margin: .8rem 0 .2rem; }
input { width: 100%; box-sizing: border-box; padding: .4rem; }
button { margin-top: 1rem; padding: .5rem 1rem; }
.error { color: #b00020; }
.hint { color: #555; font-size: .85rem; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function loginPage(uid, username, error) {
	const action = `/interaction/${encodeURIComponent(uid)}/login`;
	return pageWrap('Sign in - Test corporate login', `<h1>Test corporate login</h1>
${error ? `<p class="error" role="alert" data-error="login_failed">${htmlEscape(error)}</p>` : ''}
<form method="post" action="${htmlEscape(action)}" autocomplete="off" id="login">
<label for="username">Username</label>
<input id="username" name="username" type="text" value="${htmlEscape(username || '')}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
<button type="submit" name="abort" value="1" formnovalidate>Cancel</button>
</form>
<p class="hint">Demo accounts: alice, bob, carol, dave, erin, frank, grace.
Password (demo only): ${htmlEscape(DEMO_PASSWORD)}</p>`);
}

/* oidc-provider hands us its own <form> (with the xsrf input); add the buttons inside it. */
async function logoutSource(ctx, form) {
	const buttons = '<button type="submit" name="logout" value="yes" autofocus>Yes, sign me out</button>'
		+ '<button type="submit">No, stay signed in</button>';
	ctx.body = pageWrap('Sign out', `<h1>Sign out of the test corporate login?</h1>
${form.replace('</form>', `${buttons}</form>`)}`);
}

async function postLogoutSuccessSource(ctx) {
	ctx.body = pageWrap('Signed out', '<h1>You are signed out.</h1>');
}

async function renderError(ctx, out) {
	ctx.type = 'html';
	ctx.body = pageWrap('Error', `<h1>Sign-in error</h1>
<p data-error="${htmlEscape(out.error)}">${htmlEscape(out.error)}: ${htmlEscape(out.error_description || '')}</p>`);
}

async function accountFind(ctx, sub) {
	const account = accountBySub(sub);
	if (!account)
		return undefined;
	return {
		accountId: sub,
		async claims() {
			return { ...account.claims, groups: [...account.claims.groups] };
		},
	};
}

/*
 * Builds the oidc-provider configuration. The caller owns nothing returned;
 * the cookie keys are random for this process (DEMO-ONLY).
 */
function configurationBuild(opt, jwk) {
	const livery = opt.liveryUrl.replace(/\/+$/, '');
	return {
		clients: [{
			client_id: opt.clientId,
			client_secret: opt.clientSecret,
			client_name: 'Livery',
			redirect_uris: [`${livery}/auth/callback`],
			post_logout_redirect_uris: [`${livery}/`],
			backchannel_logout_uri: `${livery}/auth/backchannel-logout`,
			backchannel_logout_session_required: false,
			token_endpoint_auth_method: 'client_secret_basic',
			response_types: ['code'],
			grant_types: ['authorization_code'],
		}],
		claims: {
			openid: ['sub'],
			profile: PROFILE_CLAIMS,
			email: ['email', 'email_verified'],
		},
		findAccount: accountFind,
		interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
		features: {
			devInteractions: { enabled: false },
			rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
			backchannelLogout: { enabled: true },
		},
		pkce: { methods: ['S256'], required: () => true },
		jwks: { keys: [jwk] },
		cookies: {
			keys: [crypto.randomBytes(32).toString('hex')],
			long: { signed: true, httpOnly: true, sameSite: 'lax' },
			short: { signed: true, httpOnly: true, sameSite: 'lax' },
		},
		ttl: {
			AccessToken: 3600,
			AuthorizationCode: 120,
			IdToken: 3600,
			Interaction: 3600,
			Session: 8 * 3600,
			Grant: 8 * 3600,
		},
		renderError,
	};
}

/*
 * Handles GET /interaction/<uid> (shows the login form, or grants consent
 * to the first-party client) and POST /interaction/<uid>/login.
 */
async function interactionHandle(provider, opt, req, res, url) {
	const m = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(url.pathname);
	if (!m) {
		htmlSend(res, 404, pageWrap('Not found', '<h1>Not found</h1>'));
		return;
	}
	const details = await provider.interactionDetails(req, res);
	if (details.uid !== m[1]) {
		htmlSend(res, 400, pageWrap('Error', '<h1>Interaction mismatch</h1>'));
		return;
	}
	const { prompt, params, session } = details;

	if (m[2]) {
		if (req.method !== 'POST') {
			htmlSend(res, 405, pageWrap('Error', '<h1>Method not allowed</h1>'), { allow: 'POST' });
			return;
		}
		const form = formParse(await bodyRead(req));
		if (form.abort) {
			await provider.interactionFinished(req, res, {
				error: 'access_denied',
				error_description: 'End-User aborted interaction',
			}, { mergeWithLastSubmission: false });
			return;
		}
		const account = accountByUsername(String(form.username || ''));
		if (!account || !strEqual(form.password || '', DEMO_PASSWORD)) {
			htmlSend(res, 200, loginPage(details.uid, form.username, 'Invalid username or password.'));
			return;
		}
		await provider.interactionFinished(req, res, {
			login: { accountId: account.claims.sub },
		}, { mergeWithLastSubmission: false });
		return;
	}

	if (req.method !== 'GET') {
		htmlSend(res, 405, pageWrap('Error', '<h1>Method not allowed</h1>'), { allow: 'GET' });
		return;
	}
	if (prompt.name === 'login') {
		htmlSend(res, 200, loginPage(details.uid, '', ''));
		return;
	}
	if (prompt.name === 'consent' && params.client_id === opt.clientId) {
		/* First-party client: grant what it asked for, no consent page. */
		const grant = details.grantId
			? await provider.Grant.find(details.grantId)
			: new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
		const d = prompt.details;
		if (d.missingOIDCScope)
			grant.addOIDCScope(d.missingOIDCScope.join(' '));
		if (d.missingOIDCClaims)
			grant.addOIDCClaims(d.missingOIDCClaims);
		if (d.missingResourceScopes) {
			for (const [indicator, scopes] of Object.entries(d.missingResourceScopes))
				grant.addResourceScope(indicator, scopes.join(' '));
		}
		const grantId = await grant.save();
		await provider.interactionFinished(req, res, { consent: { grantId } },
			{ mergeWithLastSubmission: true });
		return;
	}
	await provider.interactionFinished(req, res, {
		error: 'access_denied',
		error_description: `unsupported prompt ${prompt.name}`,
	}, { mergeWithLastSubmission: false });
}

/*
 * Starts the provider. options: { host, port (0 = any free port), clientId,
 * clientSecret, liveryUrl, keyFile }. Returns a promise of
 * { issuer, port, provider, close() }; close() stops listening.
 */
export async function providerStart(options) {
	const opt = {
		host: '127.0.0.1', port: 9090, clientId: 'livery', clientSecret: 'livery-demo-secret',
		liveryUrl: 'http://127.0.0.1:8080', keyFile: '', ...options,
	};
	const server = http.createServer();
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(opt.port, opt.host, resolve);
	});
	const port = server.address().port;
	const issuer = `http://${opt.host}:${port}`;
	const provider = new Provider(issuer, configurationBuild(opt, signingKeyLoad(opt.keyFile)));
	provider.on('server_error', (ctx, err) => console.error('provider: server_error', err));
	provider.on('backchannel.error', (ctx, err, client) =>
		console.error(`provider: back-channel logout to ${client.clientId} failed: ${err.message}`));
	provider.on('backchannel.success', (ctx, client, accountId) =>
		console.error(`provider: back-channel logout sent to ${client.clientId} for ${accountId}`));
	const callback = provider.callback();

	server.on('request', (req, res) => {
		const url = new URL(req.url, issuer);
		if (!url.pathname.startsWith('/interaction/')) {
			callback(req, res);
			return;
		}
		interactionHandle(provider, opt, req, res, url).catch((err) => {
			console.error('provider: interaction failed:', err.message);
			if (!res.headersSent) {
				htmlSend(res, err.status || 400, pageWrap('Error',
					`<h1>Sign-in error</h1><p data-error="interaction">${htmlEscape(err.message)}</p>`));
			} else {
				res.end();
			}
		});
	});

	return {
		issuer,
		port,
		provider,
		close: () => new Promise((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections?.();
		}),
	};
}

async function main() {
	const o = optionsParse(process.argv.slice(2), OPTIONS);
	const idp = await providerStart({
		host: o.host,
		port: portParse(o.port),
		clientId: o['client-id'],
		clientSecret: o['client-secret'],
		liveryUrl: o['livery-url'],
		keyFile: o['key-file'],
	});
	const stop = () => idp.close().then(() => process.exit(0));
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	console.log(`provider ready ${idp.issuer}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	main().catch((err) => {
		console.error(`provider: ${err.message}`);
		process.exit(1);
	});
}
