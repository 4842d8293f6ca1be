// A stand-in for `vscode-languageclient/node` in unit tests: records what the extension asks of it.

export const clients: FakeLanguageClient[] = [];

export enum State {
    Stopped = 1,
    Starting = 3,
    Running = 2,
}

export enum RevealOutputChannelOn {
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
    Never = 4,
}

export const DidChangeConfigurationNotification = { type: { method: 'workspace/didChangeConfiguration' } };

export class FakeLanguageClient {
    running = false;
    stopped = false;
    notifications: { method: string; params: unknown }[] = [];
    constructor(
        public id: string,
        public name: string,
        public serverOptions: { run: { command: string; args: string[] } },
        public clientOptions: { initializationOptions: () => unknown; documentSelector: unknown },
    ) {
        clients.push(this);
    }
    /** Set by a test: the next `start()` of any client fails like a server process that exits at once. */
    static failStart = false;
    stateListeners: ((e: { oldState: State; newState: State }) => unknown)[] = [];
    onDidChangeState(listener: (e: { oldState: State; newState: State }) => unknown) {
        this.stateListeners.push(listener);
        return { dispose: () => undefined };
    }
    /** What vscode-languageclient does when the server process exits and is not restarted again. */
    crash() {
        this.running = false;
        this.stateListeners.forEach((l) => l({ oldState: State.Running, newState: State.Stopped }));
    }
    async start() {
        if (FakeLanguageClient.failStart) {
            FakeLanguageClient.failStart = false;
            throw new Error('Pending response rejected since connection got disposed');
        }
        this.running = true;
    }
    async stop() {
        this.running = false;
        this.stopped = true;
    }
    isRunning() {
        return this.running;
    }
    async sendNotification(type: { method: string }, params: unknown) {
        this.notifications.push({ method: type.method, params });
    }
}

export { FakeLanguageClient as LanguageClient };
export type LanguageClientOptions = unknown;
export type ServerOptions = unknown;
