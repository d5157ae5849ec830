// Headless Chromium through playwright-core. Missing pieces fail loudly: clients/js/test-tools.sh (run by ./mvnw verify) readies them.
import {existsSync} from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser() {
    if (!existsSync(CHROMIUM)) {
        throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
    }
    let chromium;
    try {
        ({chromium} = await import('playwright-core'));
    } catch (e) {
        throw new Error(`playwright-core is not installed: run npm ci in clients/js (${e.message})`);
    }
    return chromium.launch({executablePath: CHROMIUM, args: ARGS});
}
