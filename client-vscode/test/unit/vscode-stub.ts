// A stand-in for the `vscode` module in unit tests: only what src/vscodeapi.ts touches.
// Tests drive it through `stub` (settings, extensions, answers to notifications) and read what
// the extension did (messages shown, commands run).

type Listener<T> = (e: T) => unknown;

export const stub = {
    settings: {} as Record<string, unknown>,
    extensions: {} as Record<string, { isActive: boolean; exports: unknown; activate(): Promise<unknown> }>,
    errors: [] as { message: string; items: string[] }[],
    /** The button the user "clicks" on the next error notification. */
    answer: undefined as string | undefined,
    executed: [] as { command: string; args: unknown[] }[],
    commands: new Map<string, (...args: unknown[]) => unknown>(),
    configListeners: [] as Listener<{ affectsConfiguration(section: string): boolean }>[],
    workspaceFolder: undefined as string | undefined,
    output: [] as string[],
    reset(): void {
        this.settings = {};
        this.extensions = {};
        this.errors = [];
        this.answer = undefined;
        this.executed = [];
        this.commands.clear();
        this.configListeners = [];
        this.workspaceFolder = undefined;
        this.output = [];
    },
    /** Changes settings as the Settings editor would, and fires onDidChangeConfiguration. */
    change(values: Record<string, unknown>): void {
        Object.assign(this.settings, values);
        const keys = Object.keys(values);
        const event = {
            affectsConfiguration: (section: string) => keys.some((k) => k === section || k.startsWith(section + '.') || section.startsWith(k + '.')),
        };
        this.configListeners.forEach((l) => l(event));
    },
};

const disposable = (f: () => void = () => undefined) => ({ dispose: f });

export const workspace = {
    getConfiguration(section: string) {
        return {
            get<T>(key: string, fallback?: T): T | undefined {
                const full = `${section}.${key}`;
                return full in stub.settings ? (stub.settings[full] as T) : fallback;
            },
        };
    },
    onDidChangeConfiguration(listener: Listener<{ affectsConfiguration(section: string): boolean }>) {
        stub.configListeners.push(listener);
        return disposable(() => (stub.configListeners = stub.configListeners.filter((l) => l !== listener)));
    },
    get workspaceFolders() {
        return stub.workspaceFolder ? [{ uri: { fsPath: stub.workspaceFolder } }] : undefined;
    },
};

function log(level: string) {
    return (message: string) => stub.output.push(`${level} ${message}`);
}

export const window = {
    createOutputChannel(name: string) {
        return {
            name,
            info: log('info'),
            warn: log('warn'),
            error: log('error'),
            debug: log('debug'),
            trace: log('trace'),
            appendLine: log('line'),
            show: () => stub.executed.push({ command: '<output.show>', args: [] }),
            dispose: () => undefined,
        };
    },
    async showErrorMessage(message: string, ...items: string[]) {
        stub.errors.push({ message, items });
        return stub.answer;
    },
};

export const commands = {
    registerCommand(command: string, callback: (...args: unknown[]) => unknown) {
        stub.commands.set(command, callback);
        return disposable(() => stub.commands.delete(command));
    },
    async executeCommand(command: string, ...args: unknown[]) {
        stub.executed.push({ command, args });
        return undefined;
    },
};

export const extensions = {
    getExtension(id: string) {
        return stub.extensions[id];
    },
    onDidChange() {
        return disposable();
    },
};
