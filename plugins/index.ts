/**
 * The plugins feature: the sandbox (plugins/sandbox), the loaded plugins and the per-space switches
 * (plugins/service.ts), the manifest format (plugins/manifest.ts). The SDK for plugin authors is in
 * plugins/sdk/. Wired in http/wiring/plugins.ts.
 */
export { Sandbox, DEFAULT_LIMITS } from './sandbox/sandbox.ts';
export type { SandboxLimits, ExecResult, ExecLog, FaultCode, HostCall } from './sandbox/sandbox.ts';
export { PluginService, bridge, grantNames } from './service.ts';
export type {
  PluginInfo,
  SpacePluginInfo,
  PluginCommand,
  RunRequest,
  RunResult,
  PluginServiceDeps,
} from './service.ts';
export { ManifestSchema, grantOf, describeCapabilities, configSchema } from './manifest.ts';
export type { Manifest, CommandSpec } from './manifest.ts';
export { loadPlugins, loadPluginDir, BUILTIN_DIR } from './registry.ts';
export type { LoadedPlugin } from './registry.ts';
import './tables.ts';
