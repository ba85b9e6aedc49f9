import net from 'node:net';

/**
 * A TCP proxy in front of the test's PostgreSQL server that a test can turn into each way a database
 * goes away: `silent` accepts connections and never answers (a host that stopped answering, or a
 * firewall dropping packets), `down` refuses them (a stopped server), and `forward` is the database back.
 * Entering `silent` or `down` also cuts every connection already made through it.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  private mode: 'forward' | 'silent' = 'forward';

  private constructor(
    private readonly target: { host: string; port: number },
    public port: number,
  ) {}

  /** Listens on a free port, forwarding to `targetUrl`'s host and port. */
  static async start(targetUrl: string): Promise<TcpProxy> {
    const url = new URL(targetUrl);
    const proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) }, 0);
    await proxy.listen();
    return proxy;
  }

  /** `targetUrl` with its host and port replaced by the proxy's. */
  urlFor(targetUrl: string): string {
    const url = new URL(targetUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  private listen(): Promise<void> {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(socket: net.Socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (this.mode === 'silent') return; // read nothing, answer nothing
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      socket.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
  }

  private cutAll() {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Forwards again, listening on the same port as before. */
  async forward(): Promise<void> {
    this.mode = 'forward';
    if (!this.server) await this.listen();
  }

  /** Accepts connections and never answers them; connections already made are cut. */
  async silent(): Promise<void> {
    this.mode = 'silent';
    this.cutAll();
    if (!this.server) await this.listen();
  }

  /** Stops listening, so connections are refused; connections already made are cut. */
  async down(): Promise<void> {
    this.cutAll();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close(): Promise<void> {
    return this.down();
  }
}
