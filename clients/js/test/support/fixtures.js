// Per-test resources that clean up after themselves, for node:test.
import {after, before} from 'node:test';
import {launchBrowser} from './browser.js';
import {HeraldProcess} from './herald-process.js';

/** One Chromium for the test file; returns a getter (the browser exists only once `before` ran). */
export function sharedBrowser() {
    let browser;
    before(async () => {
        browser = await launchBrowser();
    });
    after(() => browser?.close());
    return () => browser;
}

/** A fresh browser context (own cookies, storage, network state), closed after the test. */
export async function newContext(t, browser, options = {}) {
    const context = await browser.newContext(options);
    t.after(() => context.close());
    return context;
}

/** A Herald server process for this test, killed and its data dir removed afterwards. */
export async function startServer(t, options) {
    const server = await HeraldProcess.start(options);
    t.after(() => server.dispose());
    return server;
}
