/** Whether the hub is fit to serve: its database and its links (readiness, the dashboard's banner). */

/** `ok: false` while the hub cannot write its database: reads go on, changes are refused. */
export type StorageStatus = { ok: true } | { ok: false; error: string; since: number };

/**
 * `GET /readyz` (and its older name `GET /api/health`): anyone may ask (a load balancer, an
 * orchestrator's probe, a monitor); 503 while not ready.
 */
export interface HealthView {
  /** The database is open and takes writes, and the links have started. */
  ready: boolean;
  storage: StorageStatus;
  /** The remote links and logger replication have started (false while the hub starts or stops). */
  links: boolean;
}

/** `GET /healthz`: the process answers (liveness); nothing it depends on is asked. */
export interface LivenessView {
  alive: true;
}
