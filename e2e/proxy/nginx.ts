import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, type StartedProcess, startProcess } from '@threadcast/testkit';

const deployDir = fileURLToPath(new URL('../../deploy/nginx/', import.meta.url));

/** A `${NAME}` of a template that was given no value: nginx would fail on it later, and less clearly. */
export class TemplateVariableError extends Error {
  override name = 'TemplateVariableError';
}

/**
 * Fills `${NAME}` placeholders as the nginx image's envsubst step does with the variables it is given.
 * Lower-case `$name`s are nginx's own variables and stay; an upper-case placeholder without a value throws.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TemplateVariableError(`no value for ${placeholder} in the nginx template`);
    return value;
  });
}

export interface NginxOptions {
  /** `host:port` of each threadcast server. */
  upstreams: readonly string[];
}

export interface RunningNginx extends AsyncDisposable {
  /** The plain HTTP/1.1 listener. */
  httpUrl: string;
  /** The TLS listener, serving HTTP/2 (with a self-signed certificate made for this run). */
  httpsUrl: string;
  readonly process: StartedProcess;
  stop(): Promise<void>;
}

function nginxBinary(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('nginx is not installed: apt-get install nginx (the test command installs it)');
}

/** A throw-away self-signed certificate for 127.0.0.1, made with openssl. */
async function makeCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]).catch((error: unknown) => {
    throw new Error('openssl could not make the test certificate (apt-get install openssl)', { cause: error });
  });
  return { cert, key };
}

/**
 * The outer configuration, standing in for the image's nginx.conf: everything nginx writes stays in `dir`.
 * The one addition is test-only: each response names the server that answered, so a test can stop the
 * server holding a stream.
 */
function mainConfig(dir: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`)
    .join('\n');
  return `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log stderr notice;
events { worker_connections 1024; }
http {
${temp}
  access_log off;
  add_header X-Threadcast-Upstream $upstream_addr always;
  include threadcast.conf;
  include tls.conf;
}
`;
}

async function writeConfig(dir: string, httpPort: number, tlsPort: number, options: NginxOptions): Promise<void> {
  const { cert, key } = await makeCertificate(dir);
  const values = {
    THREADCAST_UPSTREAM_SERVERS: options.upstreams.map((address) => `server ${address};`).join(' '),
    NGINX_PORT: `127.0.0.1:${httpPort}`,
    NGINX_TLS_PORT: `127.0.0.1:${tlsPort}`,
    NGINX_TLS_CERT: cert,
    NGINX_TLS_KEY: key,
  };
  const render = async (from: string, to: string) =>
    writeFile(join(dir, to), renderTemplate(await readFile(join(deployDir, from), 'utf8'), values));
  await render('templates/default.conf.template', 'threadcast.conf');
  await render('tls.conf.template', 'tls.conf');
  await copyFile(join(deployDir, 'threadcast-proxy.conf'), join(dir, 'threadcast-proxy.conf'));
  await writeFile(join(dir, 'nginx.conf'), mainConfig(dir));
}

/**
 * Starts a real nginx in front of `upstreams` with the shipped configuration, in the foreground and on
 * free loopback ports, its configuration, pid, logs and temporary files in a temporary folder (nothing
 * outside it is read or written). Retries with other ports if a chosen one was taken in between.
 */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  if (options.upstreams.length === 0) throw new RangeError('nginx needs at least one upstream server');
  const binary = nginxBinary();
  const dir = await mkdtemp(join(tmpdir(), 'threadcast-nginx-'));
  try {
    const proc = await startInFolder(binary, dir, options);
    const stop = async () => {
      await proc.stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    };
    const [httpPort, tlsPort] = proc.ports;
    return {
      httpUrl: `http://127.0.0.1:${httpPort}`,
      httpsUrl: `https://127.0.0.1:${tlsPort}`,
      process: proc,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startInFolder(
  binary: string,
  dir: string,
  options: NginxOptions,
): Promise<StartedProcess & { ports: [number, number] }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const ports: [number, number] = [await freePort(), await freePort()];
    if (ports[0] === ports[1]) continue;
    await writeConfig(dir, ...ports, options);
    const proc = startProcess(binary, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;']);
    try {
      // Listening sockets are open before the master starts its workers.
      await proc.waitForLine(/start worker process \d+/, 15_000);
      return Object.assign(proc, { ports });
    } catch (error) {
      lastError = error;
      await proc.stop('SIGKILL');
    }
  }
  throw lastError;
}
