/**
 * The HTTPS agent of the push providers. `connectTo` ("host:port") sends every connection there
 * while TLS and Host keep the provider's name, like curl's --connect-to: for an egress gateway or a
 * local fake of the provider. `insecure` skips certificate verification (local fakes only).
 */
import https from 'node:https';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

export interface AgentOptions {
  connectTo?: string | undefined;
  insecure?: boolean;
}

export function parseHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  const host = i > 0 ? s.slice(0, i) : s;
  const port = i > 0 ? Number(s.slice(i + 1)) : 443;
  return { host: host.replace(/^\[|\]$/g, ''), port };
}

class ConnectToAgent extends https.Agent {
  constructor(
    private readonly target: { host: string; port: number },
    opts: https.AgentOptions,
  ) {
    super(opts);
  }
  override createConnection(options: tls.ConnectionOptions): Duplex {
    const servername = options.servername ?? (typeof options.host === 'string' ? options.host : undefined);
    return tls.connect({
      ...options,
      host: this.target.host,
      port: this.target.port,
      ...(servername && !/^[\d.:]+$/.test(servername) ? { servername } : {}),
    });
  }
}

export function createProviderAgent(opts: AgentOptions): https.Agent {
  const base: https.AgentOptions = { keepAlive: true, rejectUnauthorized: !opts.insecure };
  return opts.connectTo ? new ConnectToAgent(parseHostPort(opts.connectTo), base) : new https.Agent(base);
}
