// Preloaded into a simulator or a hub by the latency breakdown (`--import` in NODE_OPTIONS): records
// when each stage (packages/rio-server/src/trace.ts) saw the probe datapoint, one line per sighting,
// `<stage> <probe value> <epoch ms>`, in a file of this process's own in RIOHUB_TRACE_DIR. The
// probe's value is the time it was sent, so sightings of one probe are joined across processes.
import { appendFileSync } from 'node:fs';
import { subscribe } from 'node:diagnostics_channel';
import { join } from 'node:path';

const folder = process.env.RIOHUB_TRACE_DIR;
/** The probe's name as the simulator knows it (`virtual.1`): prefixed at the hub. */
const name = process.env.RIOHUB_TRACE_NAME ?? 'virtual.1';
if (folder) {
  const file = join(folder, `trace-${process.pid}.txt`);
  const record = (stage, value, at) => appendFileSync(file, `${stage} ${value} ${at.toFixed(3)}\n`);
  const inBody = new RegExp(`"${name.replaceAll('.', '\\.')}":"([^"]*)"`);
  const inEntries = (entries) => entries.find(([entry]) => entry === name)?.[1];
  let received;
  subscribe('riohub.trace.write-applied', ({ at, writes }) => {
    const value = inEntries(writes);
    if (value !== undefined) record('applied-at-server', value, at);
  });
  subscribe('riohub.trace.answer-sent', ({ at, body }) => {
    const value = inBody.exec(body)?.[1];
    if (value !== undefined) record('answer-written', value, at);
  });
  subscribe('riohub.trace.answer-received', ({ at, body }) => {
    received = inBody.exec(body)?.[1];
    if (received !== undefined) record('answer-received', received, at);
  });
  subscribe('riohub.trace.answer-decoded', ({ at }) => {
    if (received !== undefined) record('answer-decoded', received, at);
    received = undefined;
  });
  subscribe('riohub.trace.answer-applied', ({ at, entries }) => {
    const value = inEntries(entries);
    if (value !== undefined) record('tree-applied', value, at);
  });
  subscribe('riohub.trace.delta-sent', ({ at, points }) => {
    const point = points.find((candidate) => candidate.name.endsWith(`.${name}`));
    if (point) record('delta-sent', point.value, at);
  });
}
