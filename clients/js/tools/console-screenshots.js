// Regenerates the console screenshots in docs/images/ from a real dev-mode server and headless Chromium:
//   cd clients/js && node tools/console-screenshots.js
// (needs the jar, as the e2e tests do: ./mvnw -q -DskipTests package -pl herald-server -am).
import {join} from 'node:path';
import {launchBrowser} from '../test/support/browser.js';
import {HeraldProcess, REPO} from '../test/support/herald-process.js';

const server = await HeraldProcess.start({args: ['--notify.max-attempts', '1', '--notify.allow-loopback', 'true',
    '--email.smtp-host', '127.0.0.1', '--email.from', 'noreply@example.com']});
const browser = await launchBrowser();
try {
    const context = await browser.newContext({viewport: {width: 1100, height: 700}, colorScheme: 'light'});
    const app = await context.newPage();
    await app.goto(server.url + '/');
    await app.evaluate(async () => {
        const {Client} = await import('/herald.js');
        window.client = new Client({uid: 'ann', topics: ['news'], storage: null});
        window.client.connect();
    });
    for (let n = 1; n <= 3; n++) await server.publish('ann', {text: `order ${n} shipped`});
    // a dead letter (a webhook to a closed port, one attempt) and contacts with secrets, which the console masks
    await server.api('POST', '/api/v1/messages', {to: {webhook: {url: 'http://127.0.0.1:9/hook'}}, data: 'to a dead end'});
    await server.api('PUT', '/api/v1/users/ann/contacts', {email: 'ann.lee@example.com',
        webhook: {url: 'https://crm.example.com/hooks/herald-7f3a9c', secret: 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY='},
        wecom: {url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa'}});
    const page = await context.newPage();
    const shot = async (hash, name, theme = 'light') => {
        await page.goto(`${server.url}/console${hash}`);
        await page.evaluate(t => localStorage.setItem('herald.console.theme', t), theme); // as the theme button keeps it
        await page.reload();
        await page.waitForTimeout(2500); // the overview's second sample, so its rates and charts show
        await page.screenshot({path: join(REPO, 'docs/images', name)});
    };
    await shot('#/overview', 'console-overview.png');
    await shot('#/users', 'console-users-online.png');
    await shot('#/users/ann', 'console-users.png');
    await shot('#/contacts/ann', 'console-contacts.png');
    await shot('#/config', 'console-config-dark.png', 'dark');
    await shot('#/send', 'console-send-dark.png', 'dark');
    console.log('docs/images/console-{overview,users-online,users,contacts,config-dark,send-dark}.png written');
} finally {
    await browser.close();
    await server.dispose();
}
