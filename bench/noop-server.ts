/**
 * The ceiling: a server that does the least a FastAGI or Event Socket handler can. FastAGI: read
 * the environment, one SET VARIABLE, close. Event Socket: connect, one `set`, wait for it, exit.
 * HTTP: a bare `node:http` server reading each request's body and answering BODY (a decision
 * cidgate answered in the same run: the same bytes), as a JSON 200.
 *   node dist/bench/noop-server.js agi PORT | esl PORT | http PORT BODY
 */
import http from 'node:http';
import net from 'node:net';

const [protocol = 'agi', portText = '0', httpBody = '{}'] = process.argv.slice(2);

const announce = (server: net.Server) => () =>
  process.stdout.write(`${JSON.stringify({ port: (server.address() as net.AddressInfo).port })}\n`);

if (protocol === 'http') {
  const body = Buffer.from(httpBody);
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    });
  });
  server.listen({ port: Number(portText), host: '127.0.0.1', backlog: 4096 }, announce(server));
}

const server = protocol === 'http' ? null : net.createServer({ noDelay: true }, (s) => {
  let buf = '';
  let stage = 0;
  s.on('error', () => undefined);
  if (protocol === 'esl') s.write('connect\n\n');
  s.on('data', (d) => {
    buf += d.toString('latin1');
    if (protocol === 'agi') {
      if (stage === 0 && buf.includes('\n\n')) { stage = 1; buf = buf.slice(buf.indexOf('\n\n') + 2); s.write('SET VARIABLE CIDGATE_ACTION "allow"\n'); }
      if (stage === 1 && buf.includes('\n')) { stage = 2; s.end(); }
      return;
    }
    let end: number;
    while ((end = buf.indexOf('\n\n')) !== -1) {
      const msg = buf.slice(0, end);
      const len = Number(/Content-Length: (\d+)/.exec(msg)?.[1] ?? 0);
      if (buf.length < end + 2 + len) return;
      buf = buf.slice(end + 2 + len);
      if (stage === 0) { stage = 1; s.write('sendmsg\ncall-command: execute\nexecute-app-name: set\nexecute-app-arg: cidgate_action=allow\nEvent-UUID: noop\n\n'); }
      else if (stage === 1 && msg.includes('Content-Type: text/event-plain')) { stage = 2; s.write('exit\n\n'); }
      else if (stage === 2 && msg.includes('+OK bye')) s.end();
    }
  });
});
server?.listen({ port: Number(portText), host: '127.0.0.1', backlog: 4096 }, announce(server));
