/**
 * A local FCM: a TLS server answering the OAuth token endpoint and `POST /v1/projects/:p/messages:send`
 * as Google does, including the 404 UNREGISTERED error for tokens listed in `unregistered`.
 * reef reaches it through FCM_CONNECT_TO (+ PUSH_TLS_INSECURE) with a service account whose
 * token_uri is the real Google one, so the Host header still says fcm.googleapis.com.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { Recorder } from './recorder.ts';
import { FAKE_TLS_CERT, FAKE_TLS_KEY } from './tls.ts';

export interface FcmRequest {
  host: string;
  path: string;
  authorization: string;
  message: {
    token: string;
    data?: Record<string, string>;
    notification?: { title?: string; body?: string };
    android?: { priority?: string; ttl?: string; collapse_key?: string };
  };
}

export class FakeFcm {
  readonly sent = new Recorder<FcmRequest>();
  readonly tokenRequests: string[] = [];
  readonly unregistered = new Set<string>();
  private constructor(
    private readonly server: https.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeFcm> {
    let self: FakeFcm | null = null;
    const server = https.createServer({ key: FAKE_TLS_KEY, cert: FAKE_TLS_CERT }, (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => self!.handle(req, res, body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new FakeFcm(server, (server.address() as AddressInfo).port);
    return self;
  }

  /** Environment that points reef at this fake. */
  env(projectId = 'reef-test'): Record<string, string> {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    return {
      FCM_SERVICE_ACCOUNT: JSON.stringify({
        type: 'service_account',
        project_id: projectId,
        client_email: `push@${projectId}.iam.gserviceaccount.com`,
        private_key: privateKey,
        token_uri: 'https://oauth2.googleapis.com/token',
      }),
      FCM_CONNECT_TO: `127.0.0.1:${this.port}`,
      PUSH_TLS_INSECURE: 'true',
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string) {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/token') {
      this.tokenRequests.push(body);
      res.end(JSON.stringify({ access_token: 'fake-access-token', expires_in: 3600, token_type: 'Bearer' }));
      return;
    }
    const m = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) {
      res.statusCode = 404;
      res.end('{}');
      return;
    }
    const parsed = JSON.parse(body) as { message: FcmRequest['message'] };
    if (this.unregistered.has(parsed.message.token)) {
      res.statusCode = 404;
      res.end(
        JSON.stringify({
          error: {
            code: 404,
            message: 'Requested entity was not found.',
            status: 'NOT_FOUND',
            details: [
              { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
            ],
          },
        }),
      );
      return;
    }
    this.sent.push({
      host: req.headers.host ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization ?? '',
      message: parsed.message,
    });
    res.end(JSON.stringify({ name: `projects/${m[1]}/messages/${this.sent.items.length}` }));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
