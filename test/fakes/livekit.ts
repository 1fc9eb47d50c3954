/**
 * A local LiveKit room service: `POST /twirp/livekit.RoomService/<Method>` answered with JSON, as
 * the real server's Twirp API does. Records each call with its decoded body and bearer token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Recorder } from './recorder.ts';

export interface LiveKitCall {
  method: string;
  body: Record<string, unknown>;
  authorization: string;
}

export class FakeLiveKit {
  readonly calls = new Recorder<LiveKitCall>();
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeLiveKit> {
    let self: FakeLiveKit | null = null;
    const server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const m = /^\/twirp\/livekit\.RoomService\/(\w+)$/.exec(req.url ?? '');
        res.setHeader('content-type', 'application/json');
        if (req.method !== 'POST' || !m) {
          res.statusCode = 404;
          res.end(JSON.stringify({ code: 'not_found', msg: 'no such method' }));
          return;
        }
        self!.calls.push({
          method: m[1]!,
          body: body ? (JSON.parse(body) as Record<string, unknown>) : {},
          authorization: req.headers.authorization ?? '',
        });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new FakeLiveKit(server, (server.address() as AddressInfo).port);
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
