/**
 * The functions the agent puts uprobes on, and the eBPF programs of each
 * (bpf/nethttp.bpf.c, bpf/grpc.h): a program at the entry, one where the
 * function returns, or both. The return program runs after each call of the
 * function when every call can be found, else at each of its RETs
 * (gobin/call-sites.ts); never as a uretprobe (see the object's header comment).
 */
export interface Probe {
  /** The function's names, newest first: the first the target has is probed. */
  functions: readonly string[];
  /** The program run at its entry; none for a probe of returns only. */
  enter?: string;
  /** The program run at each RET; span probes only. */
  ret?: string;
  /** Whether it makes spans (a target without any span probe is refused). */
  spans: boolean;
  /**
   * The `ret` program reads the function's results. It then runs exactly at
   * the return (a RET, or the return address of each call: gobin/call-sites.ts);
   * one that reads only the goroutine may run a few instructions later, at
   * one the kernel emulates.
   */
  readsResults?: boolean;
}

const TRANSPORT = 'google.golang.org/grpc/internal/transport';

export const PROBES = {
  // Go names these the same from 1.17 (the register ABI) to today.
  httpServer: { functions: ['net/http.serverHandler.ServeHTTP'], enter: 'server_enter', ret: 'server_return', spans: true },
  httpClient: { functions: ['net/http.(*Transport).roundTrip'], enter: 'client_enter', ret: 'client_return', spans: true, readsResults: true },
  grpcServer: { functions: ['google.golang.org/grpc.(*Server).handleStream'], enter: 'grpc_server_enter', ret: 'grpc_server_return', spans: true },
  // Renamed writeStatus in grpc 1.69, when ServerStream appeared.
  grpcWriteStatus: { functions: [`${TRANSPORT}.(*http2Server).writeStatus`, `${TRANSPORT}.(*http2Server).WriteStatus`], enter: 'grpc_write_status', spans: false },
  grpcHeaders: { functions: [`${TRANSPORT}.(*http2Server).operateHeaders`], enter: 'grpc_operate_headers', spans: false },
  grpcClient: { functions: ['google.golang.org/grpc.(*ClientConn).Invoke'], enter: 'grpc_client_enter', ret: 'grpc_client_return', spans: true, readsResults: true },
  // Streaming client calls: NewStream starts the span, the *clientStream's finish ends it.
  grpcStream: { functions: ['google.golang.org/grpc.(*ClientConn).NewStream'], enter: 'grpc_stream_enter', ret: 'grpc_stream_return', spans: true, readsResults: true },
  grpcNewClientStream: { functions: ['google.golang.org/grpc.newClientStream'], ret: 'grpc_new_client_stream_return', spans: false, readsResults: true },
  grpcStreamFinish: { functions: ['google.golang.org/grpc.(*clientStream).finish'], enter: 'grpc_stream_finish', spans: false },
} as const satisfies Record<string, Probe>;

export type ProbeName = keyof typeof PROBES;

export const PROBE_NAMES = Object.keys(PROBES) as ProbeName[];

/**
 * The maps only the gRPC programs write (bpf/grpc.h). Creating a preallocated
 * hash map costs its whole size (16384 spans of in-flight calls is several
 * megabytes): for a target without gRPC they are made one entry long, and the
 * load costs what it did before gRPC.
 */
export const GRPC_MAPS = ['grpc_server_inflight', 'grpc_client_inflight', 'grpc_status', 'grpc_parents', 'grpc_stream_pending', 'grpc_streams'] as const;

/** The maps of spans in flight, keyed by goroutine (LRU hash maps: sized by inflightEntries). */
export const INFLIGHT_MAPS = ['server_inflight', 'client_inflight', 'grpc_server_inflight', 'grpc_client_inflight'] as const;
