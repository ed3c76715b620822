// Running test/fixtures/grpcapp (see its main.go): the server, which prints
// its ports as one JSON line, and the client mode, which makes an exact
// number of calls and prints what they ended with.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const GRPC_SERVICE = 'gooffsets.test.Echo';
/** The full method names the server registers (what a gRPC span's `method` is). */
export const GRPC_METHODS = { unary: `/${GRPC_SERVICE}/Unary`, stream: `/${GRPC_SERVICE}/ServerStream` } as const;
/** Messages the server streams in every streaming call, before its status. */
export const GRPC_STREAM_MESSAGES = 2;

export interface RunningGrpcApp {
  proc: ChildProcessWithoutNullStreams;
  pid: number;
  grpcPort: number;
  httpPort: number;
  /** `127.0.0.1:PORT` of the gRPC server (the client's -addr, the target of its spans). */
  grpcAddr: string;
  stderr: () => string;
  /** SIGTERM, then the exit code (SIGKILL after `ms`, then null). */
  stop(ms?: number): Promise<number | null>;
}

/** Starts `grpcapp serve`; resolves once it has printed its ports. */
export async function startGrpcApp(path: string, timeoutMs = 15_000): Promise<RunningGrpcApp> {
  const proc = spawn(path, ['serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = await new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${path} printed no ports in ${timeoutMs} ms:\n${err}`)), timeoutMs);
    proc.once('error', reject);
    void exited.then((code) => reject(new Error(`${path} exited (${code}) before listening:\n${err}`)));
    createInterface({ input: proc.stdout }).once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as { grpcPort: number; httpPort: number });
      } catch {
        reject(new Error(`${path}: not the ports line: ${line}`));
      }
    });
  }).catch((e: unknown) => {
    proc.kill('SIGKILL');
    throw e;
  });
  return {
    proc,
    pid: proc.pid!,
    ...ready,
    grpcAddr: `127.0.0.1:${ready.grpcPort}`,
    stderr: () => err,
    stop: async (ms = 10_000) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface GrpcCalls {
  /** Status code name -> how many unary calls ask for it, in this order. */
  unary?: Record<string, number>;
  /** The same for server-streaming calls (made after the unary ones). */
  stream?: Record<string, number>;
  /** W3C traceparent sent in every call's metadata. */
  traceparent?: string;
}

export interface GrpcClientSummary {
  target: string;
  /** Status code name -> calls that ended with it. */
  unary: Record<string, number>;
  stream: Record<string, number>;
  streamMessages: number;
  /** Calls that ended with another code than they asked for. */
  mismatches: number;
}

const spec = (calls: Record<string, number> = {}) => Object.entries(calls).map(([code, n]) => `${code}=${n}`).join(',');

/** Runs `grpcapp client` against `addr`; the summary it printed and its exit code (1 when a call ended otherwise than asked). */
export async function runGrpcClient(path: string, addr: string, calls: GrpcCalls): Promise<{ summary: GrpcClientSummary; exitCode: number }> {
  const args = ['client', '-addr', addr, '-unary', spec(calls.unary), '-stream', spec(calls.stream)];
  if (calls.traceparent) args.push('-traceparent', calls.traceparent);
  let stdout: string;
  let exitCode = 0;
  try {
    ({ stdout } = await run(path, args, { timeout: 60_000 }));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number | string };
    if (typeof e.code !== 'number' || !e.stdout) throw new Error(`${path} client failed: ${e.stderr ?? String(err)}`, { cause: err });
    ({ stdout } = e as { stdout: string });
    exitCode = e.code;
  }
  return { summary: JSON.parse(stdout.trim().split('\n').at(-1)!) as GrpcClientSummary, exitCode };
}
