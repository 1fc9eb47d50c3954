/**
 * Outgoing HTTP of workflows (send_webhook, the httpRequest capability). Refuses private, loopback,
 * link-local and other non-unicast addresses unless allowed by WORKFLOW_HTTP_ALLOW_PRIVATE (hosts, IPs
 * or CIDRs): the host name is resolved first, every address is checked, and the connection goes to the
 * address that was checked (the `lookup` hook), so a DNS answer cannot change between check and use.
 */
import { createHmac } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { CapabilityError, type HttpRequestInput, type HttpResponse } from './capabilities.ts';

const MAX_RESPONSE = 1024 * 1024;

export interface AddressPolicy {
  hosts: Set<string>;
  cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][];
}

export function parseAllowance(spec: string): AddressPolicy {
  const policy: AddressPolicy = { hosts: new Set(), cidrs: [] };
  for (const raw of spec
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    if (raw.includes('/')) policy.cidrs.push(ipaddr.parseCIDR(raw));
    else if (ipaddr.isValid(raw))
      policy.cidrs.push([ipaddr.parse(raw), ipaddr.parse(raw).kind() === 'ipv4' ? 32 : 128]);
    else policy.hosts.add(raw);
  }
  return policy;
}

function normal(addr: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const a = ipaddr.parse(addr);
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()
    ? (a as ipaddr.IPv6).toIPv4Address()
    : a;
}

/** Throws PRIVATE_ADDRESS unless the address is public unicast or explicitly allowed. */
export function checkAddress(addr: string, host: string, policy: AddressPolicy): void {
  if (policy.hosts.has(host.toLowerCase())) return;
  const a = normal(addr);
  if (a.range() === 'unicast') return;
  for (const [net, bits] of policy.cidrs) if (net.kind() === a.kind() && a.match(net, bits)) return;
  throw new CapabilityError(
    'PRIVATE_ADDRESS',
    `Refused: ${host} resolves to a ${a.range()} address (${a.toString()})`,
  );
}

/** A `lookup` for http.request that checks every resolved address before the socket connects to it. */
function guardedLookup(host: string, policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      try {
        for (const a of addresses) checkAddress(a.address, host, policy);
      } catch (e) {
        return callback(e as Error, '', 0);
      }
      const first = addresses[0];
      if (!first) return callback(new Error(`no address for ${hostname}`), '', 0);
      if (options.all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/** Checks the URL's host up front (literal IPs bypass `lookup`; names are resolved once here too). */
export async function preflight(url: URL, policy: AddressPolicy): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) return checkAddress(host, host, policy);
  const addrs = await dns.promises.lookup(host, { all: true }).catch((err: Error) => {
    throw new CapabilityError('FAILED', `Cannot resolve ${host}: ${err.message}`);
  });
  for (const a of addrs) checkAddress(a.address, host, policy);
}

export function hostAllowed(host: string, allowed: string[]): boolean {
  const h = host.toLowerCase();
  return allowed.some(
    (p) => p === '*' || p.toLowerCase() === h || (p.startsWith('*.') && h.endsWith(p.slice(1).toLowerCase())),
  );
}

export function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** `X-Reef-Signature: sha256=<hex of HMAC-SHA256(secret, "<timestamp>.<body>")>`. */
export function sign(secret: string, timestamp: number, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export async function request(
  input: HttpRequestInput,
  policy: AddressPolicy,
  timeoutMs: number,
): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw new CapabilityError('INVALID', 'Invalid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CapabilityError('INVALID', 'Only http(s) URLs');
  await preflight(url, policy);
  const body = bodyText(input.body);
  const headers: Record<string, string> = { 'user-agent': 'reef-workflows', ...(input.headers ?? {}) };
  if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
    headers['content-type'] = typeof input.body === 'string' ? 'text/plain' : 'application/json';
  const lib = url.protocol === 'https:' ? https : http;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise<HttpResponse>((resolve, reject) => {
    const req = lib.request(
      url,
      { method: input.method ?? 'POST', headers, lookup: guardedLookup(host, policy), timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_RESPONSE) chunks.push(c);
        });
        res.on('end', () => {
          const h: Record<string, string> = {};
          for (const [k, val] of Object.entries(res.headers)) if (typeof val === 'string') h[k] = val;
          resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(
      () => req.destroy(new CapabilityError('FAILED', `Timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new CapabilityError('FAILED', `Timed out after ${timeoutMs} ms`)));
    req.on('error', (err) =>
      reject(
        err instanceof CapabilityError
          ? err
          : new CapabilityError('FAILED', `Request failed: ${err.message}`),
      ),
    );
    if (body !== undefined) req.write(body);
    req.end();
  });
}
