// End to end in a real VS Code: code-server (from .tools/, see tests/vscode/install-code-server.sh)
// installs the built .vsix; Playwright drives Debian's chromium, headless. The test opens a
// workspace holding a Dockerfile, waits for the diagnostic in the Problems panel, applies the
// quick fix with Ctrl+., saves, and checks the bytes on disk.
// A second test opens a Dockerfile with a lone CR inside a line (issue 17) and records how VS Code
// shows, fixes and saves it. A third applies the cache-mount and stage-ENV fixes from the same menu.
// Artifacts (screenshots, code-server and extension logs): <repo>/test-artifacts/vscode/.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const EXT_DIR = path.resolve(HERE, '../..');
const ROOT = path.resolve(EXT_DIR, '..');
const VSIX = path.join(EXT_DIR, 'pip-cache-lsp.vsix');
const CODE_SERVER = process.env.CODE_SERVER ?? path.join(ROOT, '.tools/code-server/node_modules/.bin/code-server');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'vscode');
const DOCS_IMG = path.join(ROOT, 'docs', 'img', 'vscode-squiggle.png');
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'pip-cache-lsp-vscode-'));
const TIMEOUT = 90_000; // for each wait: the first start of VS Code and the server is the slow part

const BEFORE = [
    'FROM python:3.12-slim',
    'WORKDIR /app',
    'COPY requirements.txt .',
    'RUN pip install -r requirements.txt',
    'RUN pip install --no-cache-dir gunicorn',
    'CMD ["gunicorn", "app:app"]',
    '',
].join('\n');
const AFTER = BEFORE.replace('RUN pip install -r', 'RUN pip install --no-cache-dir -r');
// A lone carriage return inside line 2 (issue 17). VS Code's text model counts it as a line end
// (four lines: "RUN echo a" and "&& pip install flask" are lines 2 and 3), and normalises it to LF
// when it loads the file (mixed line ends become the majority's): the server is sent LF only.
const LONE_CR = 'FROM python:3.12\nRUN echo a\r&& pip install flask\nRUN pip install b\n';

let server;
let browser;
const started = Date.now();
const log = (msg) => {
    const line = `[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`;
    console.log(`# ${line}`);
    fs.appendFileSync(path.join(ARTIFACTS, 'e2e.log'), line + '\n');
};

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

async function waitForHttp(url, ms) {
    const deadline = Date.now() + ms;
    for (;;) {
        try {
            const res = await fetch(url);
            if (res.status < 500) {
                return;
            }
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline) {
            throw new Error(`code-server did not answer on ${url}`);
        }
        await new Promise((r) => setTimeout(r, 250));
    }
}

/** The extension's output channel, as VS Code writes it to the log folder. */
function extensionLog() {
    const logs = path.join(WORK, 'user-data', 'logs');
    const found = fs.existsSync(logs) ? fs.readdirSync(logs, { recursive: true }).filter((f) => f.endsWith('pip-cache-lsp.log')) : [];
    return found.map((f) => fs.readFileSync(path.join(logs, f), 'utf8')).join('\n');
}

function copyLogs() {
    const logs = path.join(WORK, 'user-data', 'logs');
    if (fs.existsSync(logs)) {
        fs.cpSync(logs, path.join(ARTIFACTS, 'vscode-logs'), { recursive: true });
    }
}

before(async () => {
    fs.rmSync(ARTIFACTS, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    assert.ok(fs.existsSync(CODE_SERVER), `code-server not found at ${CODE_SERVER}: run tests/vscode/install-code-server.sh`);
    assert.ok(fs.existsSync(VSIX), `${VSIX} not built: run make vsix`);
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} not found: apt-get install chromium`);

    const userData = path.join(WORK, 'user-data');
    const extensions = path.join(WORK, 'extensions');
    const workspace = path.join(WORK, 'workspace');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.mkdirSync(workspace, { recursive: true });
    fs.writeFileSync(path.join(workspace, 'Dockerfile'), BEFORE);
    fs.writeFileSync(path.join(workspace, 'requirements.txt'), 'gunicorn\n');
    fs.writeFileSync(
        path.join(userData, 'User', 'settings.json'),
        JSON.stringify(
            {
                'security.workspace.trust.enabled': false,
                'workbench.startupEditor': 'none',
                'workbench.tips.enabled': false,
                'workbench.enableExperiments': false,
                'workbench.colorTheme': 'Default Dark Modern',
                'telemetry.telemetryLevel': 'off',
                'update.mode': 'none',
                'extensions.autoCheckUpdates': false,
                'extensions.autoUpdate': false,
                'extensions.ignoreRecommendations': true,
                'chat.commandCenter.enabled': false,
                'files.autoSave': 'off',
                'git.enabled': false,
                'git.openRepositoryInParentFolders': 'never',
                'window.commandCenter': false,
                'editor.minimap.enabled': false,
                'editor.fontSize': 15,
                'pipCacheLsp.trace.server': 'messages',
            },
            null,
            2,
        ),
    );
    const config = path.join(WORK, 'config.yaml');
    fs.writeFileSync(config, 'auth: none\ncert: false\n');
    const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];

    const t0 = Date.now();
    const install = spawnSync(CODE_SERVER, [...common, '--install-extension', VSIX, '--force'], { encoding: 'utf8', timeout: 120_000 });
    fs.writeFileSync(path.join(ARTIFACTS, 'install-extension.log'), `${install.stdout}\n${install.stderr}`);
    assert.equal(install.status, 0, `--install-extension failed: ${install.stderr}`);
    const listed = spawnSync(CODE_SERVER, [...common, '--list-extensions', '--show-versions'], { encoding: 'utf8' });
    assert.match(listed.stdout, /pip-cache-lsp\.pip-cache-lsp@/, 'the extension is installed');
    log(`installed ${path.basename(VSIX)} in ${Date.now() - t0} ms: ${listed.stdout.trim()}`);

    const port = await freePort();
    const out = fs.openSync(path.join(ARTIFACTS, 'code-server.log'), 'w');
    server = spawn(
        CODE_SERVER,
        [...common, '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
            '--disable-getting-started-override', workspace],
        { stdio: ['ignore', out, out], detached: true, env: { ...process.env, VSCODE_PROXY_URI: '' } },
    );
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
    log(`code-server up on port ${port}`);

    browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
            '--no-first-run', '--disable-dev-shm-usage'],
    });
    test.workspace = { workspace, url };
});

after(async () => {
    copyLogs();
    await browser?.close().catch(() => undefined);
    if (server?.pid) {
        try {
            process.kill(-server.pid, 'SIGTERM'); // code-server, its extension host and the language server
        } catch {
            // already gone
        }
    }
    fs.rmSync(WORK, { recursive: true, force: true });
});

test('diagnostic, quick fix and save in VS Code (code-server)', { timeout: 6 * 60_000 }, async () => {
    const { workspace, url } = test.workspace;
    const file = path.join(workspace, 'Dockerfile');
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    const shot = async (name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
    try {
        await page.goto(url);
        await page.waitForSelector('.monaco-workbench .part.editor', { timeout: TIMEOUT });
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: TIMEOUT });
        log('workbench loaded');

        // Open the Dockerfile from Quick Open.
        await page.keyboard.press('Control+P');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: TIMEOUT });
        await page.keyboard.type('Dockerfile');
        await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: TIMEOUT });
        await page.keyboard.press('Enter');
        await page.waitForSelector('.monaco-editor .view-lines', { timeout: TIMEOUT });
        log('Dockerfile open');

        // The squiggle: exactly one warning, on the line without the flag.
        const squiggle = page.locator('.monaco-editor .squiggly-warning');
        await squiggle.first().waitFor({ state: 'attached', timeout: TIMEOUT });
        log(`squiggle shown (${await squiggle.count()})`);
        assert.equal(await squiggle.count(), 1);

        // The Problems panel lists it, from pip-cache-lsp.
        await page.keyboard.press('Control+Shift+M');
        const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'no-cache-dir' });
        await row.first().waitFor({ timeout: TIMEOUT });
        const problem = (await row.first().innerText()).replace(/\s+/g, ' ');
        log(`Problems panel: ${problem}`);
        assert.match(problem, /pip-cache-lsp/);
        assert.match(problem, /pip-no-cache-dir/);
        assert.match(problem, /\[Ln 4, Col \d+\]/);

        // Hover the squiggle for the screenshot of the README.
        await page.keyboard.press('Control+1'); // focus the editor
        const box = await squiggle.first().boundingBox();
        await page.mouse.move(box.x + Math.min(40, box.width / 2), box.y + box.height / 2);
        await page.waitForSelector('.monaco-hover:not(.hidden) .hover-contents', { state: 'visible', timeout: 15_000 }).catch(() => log('no hover shown'));
        await page.waitForTimeout(500);
        await shot('squiggle');
        if (process.env.UPDATE_DOCS_IMG === '1' || !fs.existsSync(DOCS_IMG)) {
            fs.mkdirSync(path.dirname(DOCS_IMG), { recursive: true });
            fs.copyFileSync(path.join(ARTIFACTS, 'squiggle.png'), DOCS_IMG);
            log(`wrote ${path.relative(ROOT, DOCS_IMG)}`);
        }
        await page.mouse.move(700, 400);

        // Settings apply live (workspace/didChangeConfiguration): the warning becomes an error.
        // (Workspace settings: the user settings file of code-server is not watched for changes.)
        fs.mkdirSync(path.join(workspace, '.vscode'));
        fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'pipCacheLsp.severity': 'error' }));
        const errorSquiggle = page.locator('.monaco-editor .squiggly-error');
        await errorSquiggle.first().waitFor({ state: 'attached', timeout: TIMEOUT });
        await squiggle.first().waitFor({ state: 'detached', timeout: TIMEOUT });
        log('severity changed live to error');

        // "pip-cache-lsp: Restart Server" from the Command Palette starts a second server.
        await page.keyboard.press('Control+1');
        await page.keyboard.press('F1');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: TIMEOUT });
        await page.keyboard.type('pip-cache-lsp: Restart Server');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Restart Server' }).first().waitFor({ timeout: TIMEOUT });
        await page.keyboard.press('Enter');
        const started = () => extensionLog().split('\n').filter((l) => l.includes('server started')).length;
        const until = Date.now() + TIMEOUT;
        while (started() < 2 && Date.now() < until) {
            await page.waitForTimeout(200);
        }
        assert.equal(started(), 2, 'the server restarted');
        await errorSquiggle.first().waitFor({ state: 'attached', timeout: TIMEOUT });
        log('server restarted from the Command Palette, diagnostic back');

        // Go to the problem (F8 puts the cursor on it), then Ctrl+. and the quick fix.
        await page.keyboard.press('Control+1');
        await page.keyboard.press('F8');
        await page.waitForSelector('.marker-widget', { timeout: 15_000 }).catch(() => undefined);
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+.');
        const action = page.locator('.action-widget .monaco-list-row', { hasText: '--no-cache-dir' });
        await action.first().waitFor({ state: 'visible', timeout: TIMEOUT });
        const actions = (await page.locator('.action-widget .monaco-list-row').allInnerTexts()).map((t) => t.trim());
        log(`code actions: ${JSON.stringify(actions)}`);
        await shot('quick-fix-menu');
        // Keyboard, as a user would: the preferred fix comes focused; move to it if not, then Enter.
        for (let i = 0; i < actions.length; i++) {
            const focused = await page.locator('.action-widget .monaco-list-row.focused').getAttribute('aria-label');
            if (focused?.includes('--no-cache-dir')) {
                break;
            }
            await page.keyboard.press('ArrowDown');
        }
        assert.match(await page.locator('.action-widget .monaco-list-row.focused').getAttribute('aria-label'), /^Add --no-cache-dir/);
        await page.keyboard.press('Enter');

        // The editor changes, the squiggle goes; save and check the bytes.
        await page.waitForFunction(
            () => [...document.querySelectorAll('.monaco-editor .view-line')].some((l) => l.textContent.replace(/\u00a0/g, ' ').includes('pip install --no-cache-dir -r')),
            undefined,
            { timeout: TIMEOUT },
        );
        await errorSquiggle.first().waitFor({ state: 'detached', timeout: TIMEOUT });
        log('fix applied, squiggle gone');
        await page.keyboard.press('Control+S');
        const deadline = Date.now() + TIMEOUT;
        while (fs.readFileSync(file, 'utf8') !== AFTER && Date.now() < deadline) {
            await page.waitForTimeout(200);
        }
        await shot('fixed');
        assert.equal(fs.readFileSync(file, 'utf8'), AFTER, 'the saved Dockerfile has the flag, and nothing else changed');
        assert.deepEqual(fs.readFileSync(file), Buffer.from(AFTER, 'utf8'));
        log('saved file has the expected bytes');
        assert.match(extensionLog(), /starting bundled server, Python 3\.\d+\.\d+ \(python3, on PATH\)/);
    } catch (error) {
        await shot('failure').catch(() => undefined);
        fs.writeFileSync(path.join(ARTIFACTS, 'browser-console.log'), consoleLines.join('\n'));
        throw error;
    } finally {
        await page.close().catch(() => undefined); // the next test opens its own window
    }
});

test('a lone CR inside a line: what VS Code shows, fixes and saves (issue 17)', { timeout: 6 * 60_000 }, async () => {
    const { workspace, url } = test.workspace;
    const dir = path.join(workspace, 'lone-cr');
    const file = path.join(dir, 'Dockerfile');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, LONE_CR);
    // The initialize request and didOpen with their params in the output channel; the default severity.
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'pipCacheLsp.trace.server': 'verbose' }));
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    const shot = async (name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
    const observed = {};
    const squiggles = page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error');
    const cursor = async () => (await page.locator('[id="status.editor.selection"]').innerText()).trim();
    const viewLines = () => page.evaluate(() => [...document.querySelectorAll('.monaco-editor .view-line')]
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map((l) => l.textContent.replace(/\u00a0/g, ' ')));
    try {
        await page.goto(url);
        await page.waitForSelector('.monaco-workbench .part.editor', { timeout: TIMEOUT });
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: TIMEOUT });
        await page.keyboard.press('Control+P');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: TIMEOUT });
        await page.keyboard.type('lone-cr/Dockerfile');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'lone-cr' }).first().waitFor({ timeout: TIMEOUT });
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .view-line')].some((l) => l.textContent.includes('echo')),
            undefined, { timeout: TIMEOUT });
        await squiggles.first().waitFor({ state: 'attached', timeout: TIMEOUT });
        await page.waitForTimeout(500); // every diagnostic of the response drawn
        log('lone-CR Dockerfile open, squiggles shown');

        observed.editorLines = await viewLines();
        observed.eol = (await page.locator('[id="status.editor.eol"]').innerText()).trim();
        observed.squiggles = await squiggles.count();
        await page.keyboard.press('Control+Shift+M');
        const rows = page.locator('.markers-panel .monaco-list-row', { hasText: 'no-cache-dir' });
        await rows.first().waitFor({ timeout: TIMEOUT });
        observed.problems = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').match(/\[Ln \d+, Col \d+\]/)?.[0]);
        await shot('lone-cr-problems');

        // F8 to each problem in turn, then Ctrl+. and the preferred fix, as in the first test.
        await page.keyboard.press('Control+1');
        observed.fixedAt = [];
        for (let round = 0; round < 4 && (await squiggles.count()) > 0; round++) {
            const before = await squiggles.count();
            await page.keyboard.press('F8');
            await page.waitForSelector('.marker-widget', { timeout: 15_000 }).catch(() => undefined);
            await page.keyboard.press('Escape');
            const at = await cursor();
            await page.keyboard.press('Control+.');
            const action = page.locator('.action-widget .monaco-list-row', { hasText: '--no-cache-dir' });
            await action.first().waitFor({ state: 'visible', timeout: TIMEOUT });
            const actions = (await page.locator('.action-widget .monaco-list-row').allInnerTexts()).map((t) => t.trim());
            for (let i = 0; i < actions.length; i++) {
                const focused = await page.locator('.action-widget .monaco-list-row.focused').getAttribute('aria-label');
                if (focused?.includes('--no-cache-dir')) {
                    break;
                }
                await page.keyboard.press('ArrowDown');
            }
            assert.match(await page.locator('.action-widget .monaco-list-row.focused').getAttribute('aria-label'), /^Add --no-cache-dir/);
            await page.keyboard.press('Enter');
            const until = Date.now() + TIMEOUT;
            while ((await squiggles.count()) >= before && Date.now() < until) {
                await page.waitForTimeout(200);
            }
            observed.fixedAt.push(at);
            log(`fixed the problem at ${at}`);
        }
        observed.editorLinesAfter = await viewLines();
        await page.keyboard.press('Control+S');
        const deadline = Date.now() + TIMEOUT;
        while (fs.readFileSync(file, 'latin1') === LONE_CR && Date.now() < deadline) {
            await page.waitForTimeout(200);
        }
        await page.waitForTimeout(500);
        observed.saved = fs.readFileSync(file, 'utf8');
        await shot('lone-cr-fixed');

        const channel = extensionLog();
        const initialize = channel.split('Sending request \'initialize').pop();
        observed.clientInfo = initialize.match(/"clientInfo":\s*(\{[^}]*\})/)?.[1].replace(/\s+/g, ' ');
        observed.serverSays = channel.split('\n').filter((l) => l.includes('lines end at')).pop()?.replace(/^.*\] /, '').replace(/, (pull|push) diagnostics.*/, '');
        observed.didOpenText = [...channel.matchAll(/"text":\s*("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1])).find((t) => t.startsWith('FROM python:3.12\n'));
        fs.writeFileSync(path.join(ARTIFACTS, 'lone-cr.json'), JSON.stringify(observed, null, 2));
        log(`lone CR observed: ${JSON.stringify(observed)}`);

        // What VS Code says it is; the server's line model for it (a lone CR ends a line, as LSP says).
        assert.match(observed.clientInfo ?? '', /"name": "code-server", "version": "1\.\d+\.\d+"/);
        assert.match(observed.serverSays ?? '', /^pip-cache-lsp \S+: positions in utf-16, lines end at LF, CRLF or a lone CR$/);
        // VS Code's text model counts the lone CR as a line end, and more: a file with mixed line
        // ends is normalised to its majority ending when it is loaded (the lone CR becomes LF in
        // the model, unsaved), so the server is sent, and the editor shows, four LF-ended lines.
        assert.deepEqual(observed.editorLines, ['FROM python:3.12', 'RUN echo a', '&& pip install flask', 'RUN pip install b', '']);
        assert.equal(observed.eol, 'LF');
        assert.equal(observed.didOpenText, LONE_CR.replace('\r', '\n'));
        // "&& pip install flask" is then a line of its own, not part of a RUN: one problem, on line 4.
        assert.deepEqual(observed.problems, ['[Ln 4, Col 5]']);
        assert.deepEqual(observed.fixedAt, ['Ln 4, Col 5']);
        assert.equal(observed.squiggles, 1);
        // Saving writes the model: the flag right after "install", and the lone CR rewritten as LF.
        assert.deepEqual(fs.readFileSync(file), Buffer.from('FROM python:3.12\nRUN echo a\n&& pip install flask\nRUN pip install --no-cache-dir b\n'));
        log('lone CR: one problem (Ln 4), fixed; VS Code saved the lone CR as LF');
    } catch (error) {
        await shot('lone-cr-failure').catch(() => undefined);
        fs.writeFileSync(path.join(ARTIFACTS, 'lone-cr-browser-console.log'), consoleLines.join('\n'));
        fs.writeFileSync(path.join(ARTIFACTS, 'lone-cr.json'), JSON.stringify(observed, null, 2));
        throw error;
    } finally {
        await page.close().catch(() => undefined);
    }
});

// Issue 15: the other two fixes through the quick-fix menu, picked by title. A cache mount on the
// RUN first (it fixes both installs of that RUN), then the stage's ENV for the one left.
const REMEDIES = [
    '# syntax=docker/dockerfile:1',
    'FROM python:3.12-slim AS build',
    'RUN pip install a && pip install b',
    'FROM build',
    'RUN pip install c',
    '',
].join('\n');
const MOUNTED = REMEDIES.replace('RUN pip install a', 'RUN --mount=type=cache,target=/root/.cache/pip pip install a');
const ENV_SET = MOUNTED.replace('FROM build\n', 'FROM build\nENV PIP_NO_CACHE_DIR=1\n');

test('the cache-mount and stage-ENV quick fixes from the Ctrl+. menu (issue 15)', { timeout: 6 * 60_000 }, async () => {
    const { workspace, url } = test.workspace;
    const dir = path.join(workspace, 'remedies');
    const file = path.join(dir, 'Dockerfile');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, REMEDIES);
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    const shot = async (name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
    const squiggles = page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error');
    const saved = async (want) => {
        await page.keyboard.press('Control+S');
        const deadline = Date.now() + TIMEOUT;
        while (fs.readFileSync(file, 'utf8') !== want && Date.now() < deadline) {
            await page.waitForTimeout(200);
        }
        assert.deepEqual(fs.readFileSync(file), Buffer.from(want, 'utf8'));
    };
    // F8 to the next problem, Ctrl+., move the focus to the action titled `prefix…`, Enter; returns the titles.
    const apply = async (prefix) => {
        const before = await squiggles.count();
        // VS Code may cancel its own quick-fix request a millisecond after sending it when the keys
        // come this fast (the client trace shows the $/cancelRequest, and the server's answer with
        // the action); the menu then says "No code actions available": ask again before failing.
        let shown = false;
        for (let attempt = 0; attempt < 4 && !shown; attempt++) {
            if (attempt > 0) {
                log(`Ctrl+. showed no "${prefix}" (attempt ${attempt}): asking again`);
                await page.keyboard.press('Escape');
                await page.waitForTimeout(1000);
            }
            await page.keyboard.press('Control+1');
            await page.keyboard.press('F8');
            await page.waitForSelector('.marker-widget', { timeout: 15_000 }).catch(() => undefined);
            await page.keyboard.press('Escape');
            await page.keyboard.press('Control+.');
            shown = await page.locator('.action-widget .monaco-list-row', { hasText: prefix }).first()
                .waitFor({ state: 'visible', timeout: TIMEOUT / 4 }).then(() => true, () => false);
        }
        assert.ok(shown, `no code action "${prefix}" in the Ctrl+. menu`);
        const actions = (await page.locator('.action-widget .monaco-list-row').allInnerTexts()).map((t) => t.trim());
        for (let i = 0; i < actions.length; i++) {
            const focused = await page.locator('.action-widget .monaco-list-row.focused').getAttribute('aria-label');
            if (focused?.startsWith(prefix)) {
                break;
            }
            await page.keyboard.press('ArrowDown');
        }
        assert.ok((await page.locator('.action-widget .monaco-list-row.focused').getAttribute('aria-label')).startsWith(prefix));
        await page.keyboard.press('Enter');
        const until = Date.now() + TIMEOUT;
        while ((await squiggles.count()) >= before && Date.now() < until) {
            await page.waitForTimeout(200);
        }
        return actions;
    };
    try {
        await page.goto(url);
        await page.waitForSelector('.monaco-workbench .part.editor', { timeout: TIMEOUT });
        await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: TIMEOUT });
        await page.keyboard.press('Control+P');
        await page.waitForSelector('.quick-input-widget input', { state: 'visible', timeout: TIMEOUT });
        await page.keyboard.type('remedies/Dockerfile');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'remedies' }).first().waitFor({ timeout: TIMEOUT });
        await page.keyboard.press('Enter');
        await squiggles.first().waitFor({ state: 'attached', timeout: TIMEOUT });
        await page.waitForTimeout(500);
        assert.equal(await squiggles.count(), 3);
        log('remedies Dockerfile open, three squiggles');

        const mountTitle = 'Use a BuildKit cache mount for the pip cache (--mount=type=cache,target=/root/.cache/pip)';
        const first = await apply(mountTitle);
        log(`code actions on the first install: ${JSON.stringify(first)}`);
        await shot('remedies-mount');
        assert.ok(first.some((t) => t.startsWith('Add --no-cache-dir')), first);
        assert.ok(first.some((t) => t.startsWith("Turn the pip cache off for stage 'build' (ENV PIP_NO_CACHE_DIR=1): fixes 3 findings")), first);
        assert.equal(await squiggles.count(), 1, 'the mount fixed both installs of its RUN');
        await saved(MOUNTED);
        log('cache mount applied and saved');

        const second = await apply("Turn the pip cache off for stage '1' (ENV PIP_NO_CACHE_DIR=1): fixes 1 finding");
        log(`code actions on the last install: ${JSON.stringify(second)}`);
        assert.equal(await squiggles.count(), 0);
        await saved(ENV_SET);
        await shot('remedies-env');
        log('stage ENV applied and saved');
    } catch (error) {
        await shot('remedies-failure').catch(() => undefined);
        fs.writeFileSync(path.join(ARTIFACTS, 'remedies-browser-console.log'), consoleLines.join('\n'));
        throw error;
    } finally {
        await page.close().catch(() => undefined);
    }
});
