// The image's HEALTHCHECK: an HTTP request to the server in this container, over its loopback.
//
//   node healthcheck.mjs                     the hub: GET /healthz answers 200, on RIOHUB_PORT (8080),
//                                            over HTTPS when RIOHUB_TLS or RIOHUB_CERT is set
//   node healthcheck.mjs sim <port> [https]  a simulator: its server answers (it has no /healthz,
//                                            so any HTTP status shows it serving)
//
// The certificate is not checked: the connection is to this container's own loopback.
import { request as http } from 'node:http';
import { request as https } from 'node:https';

const [kind, simPort, simScheme] = process.argv.slice(2);
const sim = kind === 'sim';
const port = Number(sim ? simPort : (process.env.RIOHUB_PORT ?? 8080));
const tls = sim ? simScheme === 'https' : ['true', '1'].includes(process.env.RIOHUB_TLS ?? '') || Boolean(process.env.RIOHUB_CERT);
// The scheme comes from the environment; a hub given --tls or --cert on its command line says
// nothing there, so a failed first try is made again with the other scheme before it counts.
function check(secure, retry) {
  const request = (secure ? https : http)({ host: '127.0.0.1', port, path: '/healthz', timeout: 4000, rejectUnauthorized: false }, (response) => {
    response.resume();
    process.exit(sim || response.statusCode === 200 ? 0 : 1);
  });
  request.on('timeout', () => request.destroy(new Error('no answer within 4 s')));
  request.on('error', (error) => {
    if (retry) return check(!secure, false);
    console.error(`healthcheck: ${error.message}`);
    process.exit(1);
  });
  request.end();
}
check(tls, !sim);
