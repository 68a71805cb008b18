// asterisk-manager ships no types; this is the part cidgate uses.
declare module 'asterisk-manager' {
  interface Manager {
    on(event: string, listener: (...args: unknown[]) => void): void;
    connect(port: number, host: string, callback?: () => void): void;
    login(callback: (err?: unknown) => void): void;
    disconnect(): void;
  }
  const AsteriskManager: new (port: number | undefined, host: string, user: string, secret: string, events: boolean) => Manager;
  export default AsteriskManager;
}
