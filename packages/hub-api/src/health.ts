/** Whether the hub is fit to serve: its storage, for now (readiness, the dashboard's banner). */

/** `ok: false` while the hub cannot write its database: reads go on, changes are refused. */
export type StorageStatus = { ok: true } | { ok: false; error: string; since: number };

/** `GET /api/health`: anyone may ask (a load balancer, a monitor); 503 while not ready. */
export interface HealthView {
  ready: boolean;
  storage: StorageStatus;
}
