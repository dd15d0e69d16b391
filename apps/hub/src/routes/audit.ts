/** `/api/audit` and `/api/audit.csv` (admin): the audit of admin actions, paged and filtered, or as a CSV download. */
import { Readable } from 'node:stream';
import { describeAuditChanges, ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { csvDownload, csvLine } from './csv';
import { mapRoute } from './route-map';

const CSV_HEADER = ['time', 'user', 'address', 'action', 'target', 'outcome', 'changes', 'error'];

export const auditRoutes: FastifyPluginAsync = async (app) => {
  mapRoute(app, 'audit', async (request, reply, answer) => {
    const { limit, before, filter: text } = request.query;
    return answer(ok(await app.audit.list({ limit, ...(before === undefined ? {} : { before }), ...(text ? { filter: text } : {}) })));
  });

  // Every record the filter keeps, streamed a chunk at a time: an export is not one page.
  mapRoute(app, 'auditCsv', async (request, reply) => {
    const records = app.audit.all(request.query.filter);
    async function* lines(): AsyncGenerator<string> {
      yield csvLine(CSV_HEADER);
      for await (const page of records) {
        yield page
          .map((r) => csvLine([new Date(r.at).toISOString(), r.user, r.address, r.action, r.target, r.outcome, describeAuditChanges(r.changes), r.error ?? '']))
          .join('');
      }
    }
    return csvDownload(reply, 'riohub-audit.csv').send(Readable.from(lines()));
  });
};
