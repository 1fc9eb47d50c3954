/**
 * A local APNs: an HTTP/2 TLS server answering `POST /3/device/:token` as Apple does (200 with an
 * apns-id; 410 {reason:'Unregistered'} for tokens listed in `unregistered`). reef reaches it with
 * APNS_ADDRESS=127.0.0.1, APNS_PORT and PUSH_TLS_INSECURE.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Recorder } from './recorder.ts';
import { FAKE_TLS_CERT, FAKE_TLS_KEY } from './tls.ts';

export interface ApnsRequest {
  token: string;
  headers: {
    topic: string;
    pushType: string;
    priority: string;
    expiration: string;
    authorization: string;
  };
  payload: Record<string, unknown> & { aps?: Record<string, unknown> };
}

export class FakeApns {
  readonly sent = new Recorder<ApnsRequest>();
  readonly unregistered = new Set<string>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private constructor(
    private readonly server: http2.Http2SecureServer,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeApns> {
    let self: FakeApns | null = null;
    const server = http2.createSecureServer({ key: FAKE_TLS_KEY, cert: FAKE_TLS_CERT });
    server.on('session', (s) => {
      self!.sessions.add(s);
      s.on('close', () => self!.sessions.delete(s));
    });
    server.on('stream', (stream, headers) => {
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (body += c));
      stream.on('end', () => self!.handle(stream, headers, body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new FakeApns(server, (server.address() as AddressInfo).port);
    return self;
  }

  env(): Record<string, string> {
    const { privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    return {
      APNS_KEY: privateKey,
      APNS_KEY_ID: 'KEYID12345',
      APNS_TEAM_ID: 'TEAMID1234',
      APNS_ADDRESS: '127.0.0.1',
      APNS_PORT: String(this.port),
      PUSH_TLS_INSECURE: 'true',
    };
  }

  private handle(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: string): void {
    const path = String(headers[':path'] ?? '');
    const m = /^\/3\/device\/(.+)$/.exec(path);
    if (headers[':method'] !== 'POST' || !m) {
      stream.respond({ ':status': 404 });
      stream.end();
      return;
    }
    const token = m[1]!;
    if (this.unregistered.has(token)) {
      stream.respond({ ':status': 410, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ reason: 'Unregistered', timestamp: Date.now() }));
      return;
    }
    this.sent.push({
      token,
      headers: {
        topic: String(headers['apns-topic'] ?? ''),
        pushType: String(headers['apns-push-type'] ?? ''),
        priority: String(headers['apns-priority'] ?? ''),
        expiration: String(headers['apns-expiration'] ?? ''),
        authorization: String(headers['authorization'] ?? ''),
      },
      payload: JSON.parse(body) as ApnsRequest['payload'],
    });
    stream.respond({ ':status': 200, 'apns-id': randomUUID() });
    stream.end();
  }

  close(): Promise<void> {
    for (const s of this.sessions) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}
