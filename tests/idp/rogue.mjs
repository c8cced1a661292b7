// SPDX-License-Identifier: AGPL-3.0-or-later
/*
 * rogue.mjs - command-line wrapper around the misbehaving test provider in
 * rogue-lib.mjs, for trying a relying party by hand:
 *
 *   node tests/idp/rogue.mjs --port 9091 --client-id livery \
 *        --client-secret S --livery-url http://127.0.0.1:8080 [--scenario ok]
 *
 * (or LV_ROGUE_PORT, LV_IDP_CLIENT_ID, LV_IDP_CLIENT_SECRET,
 * LV_IDP_LIVERY_URL, LV_ROGUE_SCENARIO, LV_IDP_HOST). Prints
 * "rogue ready <issuer>" on stdout once listening; switch scenarios with
 * curl -d '{"name":"nonce_invalid"}' <issuer>/_scenario.
 */
import { rogueStart } from './rogue-lib.mjs';
import { optionsParse, portParse } from './util.mjs';

const OPTIONS = {
	host: { env: 'LV_IDP_HOST', def: '127.0.0.1' },
	port: { env: 'LV_ROGUE_PORT', def: '9091' },
	'client-id': { env: 'LV_IDP_CLIENT_ID', def: 'livery' },
	/* DEMO-ONLY default secret. */
	'client-secret': { env: 'LV_IDP_CLIENT_SECRET', def: 'livery-demo-secret' },
	'livery-url': { env: 'LV_IDP_LIVERY_URL', def: 'http://127.0.0.1:8080' },
	scenario: { env: 'LV_ROGUE_SCENARIO', def: 'ok' },
	user: { env: 'LV_ROGUE_USER', def: 'alice' },
};

async function main() {
	const o = optionsParse(process.argv.slice(2), OPTIONS);
	const rogue = await rogueStart({
		host: o.host,
		port: portParse(o.port),
		clientId: o['client-id'],
		clientSecret: o['client-secret'],
		liveryUrl: o['livery-url'],
		scenario: o.scenario,
		user: o.user,
	});
	const stop = () => rogue.close().then(() => process.exit(0));
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	console.log(`rogue ready ${rogue.issuer}`);
}

main().catch((err) => {
	console.error(`rogue: ${err.message}`);
	process.exit(1);
});
