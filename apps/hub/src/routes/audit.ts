/** `/api/audit` and `/api/audit.csv` (admin): the audit of admin actions, paged and filtered, or as a CSV download. */
import { Readable } from 'node:stream';
import { AUDIT_PAGE_LIMIT, describeAuditChanges, ok } from '@riohub/hub-api';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { csvDownload, csvLine } from './csv';
import { parse } from './reply';
import { mapRoute } from './route-map';

const filter = z.string().max(200, 'filter must be at most 200 characters').optional();

const pageSchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_LIMIT).default(100),
    before: z.coerce.number().int().min(1).optional(),
    filter,
  })
  .strict();

const exportSchema = z.object({ filter }).strict();

const CSV_HEADER = ['time', 'user', 'address', 'action', 'target', 'outcome', 'changes', 'error'];

export const auditRoutes: FastifyPluginAsync = async (app) => {
  mapRoute(app, 'audit', async (request, reply, answer) => {
    const query = parse(pageSchema, request.query);
    if (!query.ok) return answer(query);
    const { limit, before, filter: text } = query.data;
    return answer(ok(app.audit.list({ limit, ...(before === undefined ? {} : { before }), ...(text ? { filter: text } : {}) })));
  });

  // Every record the filter keeps, streamed a chunk at a time: an export is not one page.
  mapRoute(app, 'auditCsv', async (request, reply, answer) => {
    const query = parse(exportSchema, request.query);
    if (!query.ok) return answer(query);
    const records = app.audit.all(query.data.filter);
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
