// The inventory's public surface: load files, pick targets, resolve one host for its playbook.
export { InventoryError, UnknownTargetError, type InventoryIssue } from './errors';
export { loadInventory, loadInventorySources, type InventorySource } from './load';
export { resolveHost, resolveTargets } from './resolve';
export type {
  Host,
  HostConfig,
  HostVars,
  Interface,
  Inventory,
  Neighbor,
  Operator,
  ResolvedTunnel,
  Role,
  Route,
  ServiceAddress,
  SshSettings,
  Tunnel,
} from './schema';
