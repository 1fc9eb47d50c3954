/**
 * The code every isolate runs first (before any plugin or script): it takes the three host references
 * out of the global scope into a closure, installs globals that explain why Node's are missing, and
 * exposes `__reef` (run / take / setModule / addScript) to the host. Arguments cross the boundary as
 * JSON strings only (copy semantics: nothing the plugin holds points into the host, and back).
 *
 * Results are encoded as one string: `P` pending, `1<json>` a value, `0<json>` an error `{ name, message }`.
 */
export function bootstrapSource(maxOutputBytes: number): string {
  return `(function () {
  'use strict';
  const G = globalThis;
  const host = G.__reefHost, hostLog = G.__reefLog, settle = G.__reefSettle;
  delete G.__reefHost; delete G.__reefLog; delete G.__reefSettle;
  const stringify = JSON.stringify, parse = JSON.parse, freeze = Object.freeze;
  const MAX_OUT = ${maxOutputBytes};
  const results = new Map();
  const waiting = new Set();
  const scripts = new Map();
  let plugin = null;
  const AsyncFunction = (async function () {}).constructor;
  const Fn = Function;

  const forbidden = {
    process: 'process is not available in a reef plugin: configuration comes in ctx.config, and the host is reached only through ctx (the capability API)',
    require: 'require is not available in a reef plugin: bundle your plugin into one file; the host is reached only through ctx',
    module: 'module is not available in a reef plugin: use "export default { commands, actions, triggers }"',
    exports: 'exports is not available in a reef plugin: use "export default { commands, actions, triggers }"',
    Buffer: 'Buffer is not available in a reef plugin: use strings, TextEncoder is not provided either',
    global: 'global is not available in a reef plugin: use globalThis',
    fetch: 'fetch is not available in a reef plugin: use ctx.http.fetch (needs the "http" capability and a listed host)',
    setTimeout: 'timers are not available in a reef plugin: handlers must finish within their time limit',
    setInterval: 'timers are not available in a reef plugin: handlers must finish within their time limit',
    setImmediate: 'timers are not available in a reef plugin: handlers must finish within their time limit',
    queueMicrotask: 'queueMicrotask is not available in a reef plugin',
    XMLHttpRequest: 'XMLHttpRequest is not available in a reef plugin: use ctx.http.fetch',
    WebAssembly: 'WebAssembly is not available in a reef plugin',
    __dirname: '__dirname is not available in a reef plugin',
    __filename: '__filename is not available in a reef plugin',
  };
  for (const name of Object.keys(forbidden)) {
    const message = forbidden[name];
    Object.defineProperty(G, name, {
      configurable: false,
      enumerable: false,
      get() { const e = new Error(message); e.name = 'ForbiddenGlobal'; throw e; },
      set() { const e = new Error(message); e.name = 'ForbiddenGlobal'; throw e; },
    });
  }

  function errorJson(e) {
    let name = 'Error', message = 'unknown error';
    try {
      if (e && typeof e === 'object') { name = String(e.name || 'Error'); message = String(e.message); }
      else message = String(e);
    } catch (_) { /* a hostile toString */ }
    return stringify({ name: name.slice(0, 100), message: message.slice(0, 2000) });
  }
  function encode(ok, value) {
    if (!ok) return '0' + errorJson(value);
    let json;
    try { json = stringify(value === undefined ? null : value); }
    catch (e) { return '0' + stringify({ name: 'OutputError', message: 'the result is not JSON: ' + String(e && e.message) }); }
    if (json === undefined) json = 'null';
    if (json.length > MAX_OUT) return '0' + stringify({ name: 'OutputTooLarge', message: 'the result is larger than ' + MAX_OUT + ' bytes' });
    return '1' + json;
  }
  function finish(id, ok, value) {
    const out = encode(ok, value);
    if (waiting.has(id)) { waiting.delete(id); settle.applyIgnored(undefined, [id, out]); }
    else results.set(id, out);
  }

  const CAPS = {
    messages: { send: 'messages.send', sendAdmin: 'messages.sendAdmin' },
    roles: { add: 'roles.add', remove: 'roles.remove' },
    cards: { show: 'cards.show', update: 'cards.update', dismiss: 'cards.dismiss' },
    http: { fetch: 'http.fetch', webhook: 'http.webhook' },
    kv: { get: 'kv.get', set: 'kv.set' },
  };
  function makeCtx(id, grant, meta) {
    const call = (method, args) => {
      const p = host.apply(undefined, [id, method, stringify(args === undefined ? null : args)], { result: { promise: true } })
        .then((s) => {
          if (s[0] === '0') { const e = new Error(s.slice(1)); e.name = 'CapabilityError'; throw e; }
          return s.length > 1 ? parse(s.slice(1)) : undefined;
        });
      p.catch(() => {}); // a capability error the code ignores is not an unhandled rejection
      return p;
    };
    const ctx = { spaceId: meta.spaceId, pluginId: meta.pluginId, config: freeze(meta.config || {}) };
    for (const cap of Object.keys(CAPS)) {
      const ns = {};
      for (const fn of Object.keys(CAPS[cap])) {
        const method = CAPS[cap][fn];
        ns[fn] = grant.indexOf(cap) >= 0
          ? (...a) => call(method, fn === 'get' ? a[0] : fn === 'set' ? { key: a[0], value: a[1], ttlMs: a[2] } : a[0])
          : () => { const e = new Error('capability "' + cap + '" was not granted to this plugin (ask for it in manifest.capabilities)'); e.name = 'NotGranted'; hostLog.applySync(undefined, [id, 'denied', cap, '']); throw e; };
      }
      ctx[cap] = freeze(ns);
    }
    const log = (level) => (message, data) => {
      let d = '';
      try { d = data === undefined ? '' : stringify(data); } catch (_) { d = ''; }
      hostLog.applySync(undefined, [id, level, String(message).slice(0, 2000), d.length > 4000 ? '' : d]);
    };
    ctx.log = freeze({ debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') });
    return freeze(ctx);
  }

  function lookup(target) {
    if (target.startsWith('script:')) return scripts.get(target.slice(7));
    const dot = target.indexOf('.');
    const group = plugin && plugin[target.slice(0, dot)];
    const fn = group && group[target.slice(dot + 1)];
    return typeof fn === 'function' ? fn.bind(group) : undefined;
  }

  G.__reef = freeze({
    setModule(def) { plugin = def && typeof def === 'object' ? def : null; if (!plugin) throw new Error('a plugin module must "export default" an object of handlers'); },
    addScript(hash, source) {
      const Ctor = /\\bawait\\b/.test(source) ? AsyncFunction : Fn;
      scripts.set(hash, Ctor('input', 'ctx', '"use strict";\\n' + source));
    },
    run(id, target, inputJson, grantJson, metaJson) {
      const fn = lookup(target);
      if (!fn) return '0' + stringify({ name: 'NoHandler', message: 'no handler ' + target });
      let r;
      try { r = fn(parse(inputJson), makeCtx(id, parse(grantJson), parse(metaJson))); }
      catch (e) { return encode(false, e); }
      if (r && typeof r.then === 'function') {
        r.then((v) => finish(id, true, v), (e) => finish(id, false, e));
        return 'P';
      }
      return encode(true, r);
    },
    take(id) {
      const v = results.get(id);
      if (v !== undefined) { results.delete(id); return v; }
      waiting.add(id);
      return 'P';
    },
    forget(id) { results.delete(id); waiting.delete(id); },
  });
})();`;
}
