/** CSV downloads, shared by the loggers' and the audit's exports: the headers and one line of fields. */
import type { FastifyReply } from 'fastify';

/** Marks the reply a CSV attachment named `filename` (which must not hold `"`). */
export function csvDownload(reply: FastifyReply, filename: string): FastifyReply {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`);
}

/** Text a spreadsheet would run as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV line (RFC 4180), ending in `\n`: a text field with a comma, quote or line break is
 * quoted, its quotes doubled. Text that a spreadsheet would take for a formula gets a leading `'`
 * so that opening an export never runs what a user typed; numbers are written as they are.
 */
export function csvLine(fields: readonly (string | number)[]): string {
  return `${fields.map((field) => (typeof field === 'number' ? String(field) : csvText(field))).join(',')}\n`;
}

function csvText(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
