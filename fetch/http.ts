import { Agent, RetryAgent, errors as undiciErrors, interceptors, type Dispatcher } from 'undici';
import { FetchError } from './errors.js';

/**
 * Timeouts and retry policy for every HTTP request of the project (the tracker's
 * listings and downloads, debian/'s archive client). Retries
 * (undici's RetryAgent) cover network faults and 5xx with exponential backoff;
 * a body cut off mid-way is resumed with a Range request. 4xx is never retried.
 */
export interface HttpOptions {
  connectTimeoutMs?: number;
  /** Longest silence allowed while waiting for headers or body bytes. */
  idleTimeoutMs?: number;
  maxRetries?: number;
  /** First backoff delay; doubles on each retry. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const DEFAULTS: Required<HttpOptions> = {
  connectTimeoutMs: 15_000,
  idleTimeoutMs: 60_000,
  maxRetries: 4,
  minBackoffMs: 500,
  maxBackoffMs: 15_000,
};

/** Error codes worth another attempt: the network, not the request, was at fault. */
const RETRYABLE_ERROR_CODES = [
  'ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'EHOSTUNREACH', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
];

const clients = new Map<string, Dispatcher>();

/** One shared dispatcher per option set, so connections are pooled across requests. */
export function httpClient(opts: HttpOptions = {}): Dispatcher {
  const o = { ...DEFAULTS, ...opts };
  const key = JSON.stringify(o);
  let client = clients.get(key);
  if (!client) {
    // Mirrors may redirect to a closer host: a few redirects are followed.
    const agent = new Agent({ connectTimeout: o.connectTimeoutMs, headersTimeout: o.idleTimeoutMs, bodyTimeout: o.idleTimeoutMs }).compose(interceptors.redirect({ maxRedirections: 5 }));
    client = new RetryAgent(agent as unknown as Agent, {
      maxRetries: o.maxRetries,
      minTimeout: o.minBackoffMs,
      maxTimeout: o.maxBackoffMs,
      timeoutFactor: 2,
      statusCodes: [500, 502, 503, 504, 429],
      errorCodes: RETRYABLE_ERROR_CODES,
      methods: ['GET', 'HEAD'],
    });
    clients.set(key, client);
  }
  return client;
}

/** A 2xx response whose body the caller must consume or dump. */
export type OkResponse = Dispatcher.ResponseData;

/**
 * GET with retries. Resolves only on 2xx; a 404/410 rejects with
 * ERR_HTTP_NOT_FOUND, other statuses with ERR_HTTP_STATUS, network faults
 * (after retries) with ERR_NETWORK.
 */
export async function httpGet(url: string, opts: HttpOptions & { signal?: AbortSignal } = {}): Promise<OkResponse> {
  let res: OkResponse;
  try {
    res = await httpClient(opts).request({ ...splitUrl(url), method: 'GET', signal: opts.signal });
  } catch (err) {
    throw toFetchError(err, url);
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return res;
  await res.body.dump().catch(() => undefined);
  if (res.statusCode === 404 || res.statusCode === 410) {
    throw new FetchError('ERR_HTTP_NOT_FOUND', `not found: HTTP ${res.statusCode}`, url, { status: res.statusCode });
  }
  throw new FetchError('ERR_HTTP_STATUS', `HTTP ${res.statusCode}`, url, { status: res.statusCode });
}

/**
 * GETs `url` and hands its body to `consume`, the one way every body of the
 * project is read. A body cut off mid-way is first resumed by the client with
 * a Range request (undici's RetryAgent, from the byte it stopped at); when the
 * server cannot resume (no Range support: the retry gives up with a 2xx
 * status), the whole GET and `consume` run again from the start, up to
 * `maxRetries` more times. `consume` must therefore start afresh on each call.
 * Other errors are final here: the client already retried them.
 */
export async function httpGetBody<T>(url: string, opts: HttpOptions & { signal?: AbortSignal }, consume: (body: OkResponse['body']) => Promise<T>): Promise<T> {
  const restarts = opts.maxRetries ?? DEFAULTS.maxRetries;
  for (let i = 0; ; i++) {
    try {
      const res = await httpGet(url, opts);
      return await consume(res.body);
    } catch (err) {
      const e = toFetchError(err, url);
      const cut = e instanceof FetchError && e.code === 'ERR_HTTP_STATUS' && e.status !== undefined && e.status >= 200 && e.status < 300;
      if (!cut) throw e;
      if (i >= restarts) throw new FetchError('ERR_TRUNCATED', `body cut off ${i + 1} times; the server cannot resume it`, url, { status: (e as FetchError).status, cause: e });
    }
  }
}

/** GET and read the whole body as text (for indexes and lists, not archives). */
export function httpGetText(url: string, opts: HttpOptions & { signal?: AbortSignal } = {}): Promise<string> {
  return httpGetBody(url, opts, (body) => body.text());
}

/** GET and read the whole body into memory (indexes, signatures: not archives). */
export function httpGetBytes(url: string, opts: HttpOptions & { signal?: AbortSignal } = {}): Promise<Buffer> {
  return httpGetBody(url, opts, async (body) => Buffer.from(await body.arrayBuffer()));
}

function splitUrl(url: string): { origin: string; path: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw new FetchError('ERR_NETWORK', 'not a valid URL', url, { cause: err });
  }
  return { origin: u.origin, path: u.pathname + u.search };
}

/** Maps undici's and the OS's errors onto FetchError; FetchErrors and aborts pass through. */
export function toFetchError(err: unknown, url: string): unknown {
  if (err instanceof FetchError) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  if (err instanceof undiciErrors.RequestRetryError) {
    const status = err.statusCode;
    if (status === 404 || status === 410) return new FetchError('ERR_HTTP_NOT_FOUND', `not found: HTTP ${status}`, url, { status, cause: err });
    return new FetchError('ERR_HTTP_STATUS', `HTTP ${status} (${err.message}) after retries`, url, { status, cause: err });
  }
  const code = (err as { code?: string })?.code ?? '';
  const what = err instanceof Error ? err.message : String(err);
  return new FetchError('ERR_NETWORK', `${code ? `${code}: ` : ''}${what}`, url, { cause: err });
}
