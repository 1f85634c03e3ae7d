// A tiny HTTP server on 127.0.0.1 serving fixed test pages: another port is another origin, so pages served
// here talk to sklad cross-origin, as a web application on its own domain does.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Paths requested so far, with their query strings (e.g. a redirect target a form upload landed on). */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `pages` (path → HTML) and answers any other path with a small page naming it. */
export async function servePages(pages: Record<string, string>): Promise<PageServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    const path = url.split('?')[0]!;
    const page = pages[path] ?? `<!doctype html><title>${path}</title><p id="landed">${path}</p>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
