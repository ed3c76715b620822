// SPDX-License-Identifier: GPL-2.0
/* net/http and gRPC (grpc.h) spans from Go programs built without debug info.
 *
 * Server: net/http.serverHandler.ServeHTTP(sh, rw ResponseWriter, req *Request)
 * Client: net/http.(*Transport).roundTrip(t, req *Request) (*Response, error)
 *
 * Trace context (trace_context.h): every span gets a span id; a server span
 * continues an incoming traceparent (the Traceparent header, looked up in
 * the request's header map: go_map.h) or starts a trace; a client span is
 * the child of the server span in flight on its goroutine, if any.
 *
 * Each function gets a uprobe at its entry and one at every RET instruction
 * the agent found: never a uretprobe. A uretprobe overwrites the return
 * address on the goroutine's stack; Go copies stacks when they grow and walks
 * them for GC and tracebacks, and a foreign return address there crashes the
 * program ("unexpected return pc"). Entry and return are paired per goroutine
 * id, which stays the same while the stack moves.
 *
 * Every struct offset is a constant set by the loader before load, from the
 * target's DWARF or from the offsets table: nothing version-dependent is
 * hardcoded here. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "go_abi.h"
#include "go_map.h"
#include "span.h"
#include "trace_context.h"

char LICENSE[] SEC("license") = "GPL";

/* Set through the .rodata of the opened object (libbpf open-time API). */
const volatile __u64 off_g_goid = 0;              /* runtime.g.goid */
const volatile __u64 off_request_method = 0;      /* net/http.Request.Method */
const volatile __u64 off_request_url = 0;         /* net/http.Request.URL */
const volatile __u64 off_url_path = 0;            /* net/url.URL.Path */
const volatile __u64 off_url_host = 0;            /* net/url.URL.Host */
const volatile __u64 off_response_status = 0;     /* net/http.response.status (server side) */
const volatile __u64 off_client_status_code = 0;  /* net/http.Response.StatusCode */
/* Optional: the pattern ServeMux matched (Go 1.22+). 0 means unknown, and no
 * route is read: Request.Method sits at offset 0, so pat never does. */
const volatile __u64 off_request_pat = 0;         /* net/http.Request.pat (*pattern) */
const volatile __u64 off_pattern_str = 0;         /* net/http.pattern.str */
/* Optional: the request's header map, for an incoming traceparent (with the
 * map offsets of go_map.h). 0 means unknown: Method sits at offset 0. */
const volatile __u64 off_request_header = 0;      /* net/http.Request.Header */
/* How often at most a span wakes the agent, in ns (agent/attach.ts). */
const volatile __u64 wakeup_interval_ns = 0;

/* 8 MiB: about 19,000 spans. The agent drains it in batches (wakeup_flag), so
 * the ring must hold what comes while the agent waits for a CPU: a second at
 * 15,000 spans/s once it was woken. 1 MiB (2,400 spans) dropped a few spans
 * under the benchmark's load on a busy 2-core machine. */
#define SPANS_RING_BYTES (8 << 20)
/* A span wakes the agent when the ring holds this much, whenever it was last woken. */
#define WAKEUP_AVAIL_BYTES (SPANS_RING_BYTES / 4)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SPANS_RING_BYTES);
} spans SEC(".maps");

/* When a span last woke the agent (bpf_ktime_get_ns). Shared by every CPU
 * without a lock: a race costs one wake-up more or less, never a span. */
__u64 last_wakeup_ns = 0;

/* A span in progress, keyed by goroutine id. LRU so that requests whose
 * return is never seen (a panicking handler) cannot fill it up for good.
 * The agent sizes the in-flight maps when it loads the object
 * (agent/attach.ts inflightEntries: 256 per possible CPU, 4096 at least): an
 * LRU map is preallocated whole when it is created, which costs a start its
 * size. Past that many requests in flight at once, the oldest entry is
 * evicted, and its return is counted as one without an entry. */
struct inflight {
	struct span span;
	__u64 rw_data; /* server: the *response behind the ResponseWriter */
	__u64 req;     /* server: the *Request, whose pattern is set once ServeMux matched */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct inflight);
} server_inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct inflight);
} client_inflight SEC(".maps");

/* struct inflight is too big for the 512-byte BPF stack: build it here. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct inflight);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, COUNTER_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Never read by the programs: clang puts into the BTF only the types that
 * something uses, and the agent's decoder is generated from the BTF. */
const enum span_kind *const btf_span_kind __attribute__((unused)) = 0;
const enum counter *const btf_counter __attribute__((unused)) = 0;
const enum span_protocol *const btf_span_protocol __attribute__((unused)) = 0;

static __always_inline void count(enum counter which)
{
	__u32 idx = which;
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);
	if (c)
		__sync_fetch_and_add(c, 1);
}

static __always_inline __u64 read_u64(__u64 addr)
{
	__u64 v = 0;
	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

static __always_inline __u64 current_goid(go_regs *regs)
{
	return read_u64(GO_G(regs) + off_g_goid);
}

/* What a return probe pairs with: the record its entry probe left under this
 * goroutine's id, or NULL, counted (an entry never seen, or evicted). */
static __always_inline struct inflight *entry_of(void *inflight_map, __u64 goid)
{
	struct inflight *in = bpf_map_lookup_elem(inflight_map, &goid);
	if (!in)
		count(COUNTER_UNPAIRED_RETURN);
	return in;
}

/* Copies the Go string {ptr, len} at addr into dst; returns the bytes copied. */
static __always_inline __u32 read_go_string(__u64 addr, char *dst, __u32 max)
{
	__u64 hdr[2] = {0, 0};
	if (bpf_probe_read_user(hdr, sizeof(hdr), (void *)addr) != 0)
		return 0;
	__u64 len = hdr[1];
	if (len >= max)
		len = max - 1; /* longer strings are truncated */
	/* max is a power of two: the mask proves the bound to the verifier. */
	len &= max - 1;
	if (len == 0 || bpf_probe_read_user(dst, len, (void *)hdr[0]) != 0)
		return 0;
	return len;
}

/* The trace a client span belongs to (grpc.h): that of the server span in
 * flight on the same goroutine (its child), else a new one. */
static __always_inline void join_trace(struct span *span);

static __always_inline struct inflight *new_inflight(go_regs *regs, enum span_kind kind, enum span_protocol protocol)
{
	__u32 zero = 0;
	struct inflight *in = bpf_map_lookup_elem(&scratch, &zero);
	if (!in)
		return 0;
	__builtin_memset(in, 0, sizeof(*in));
	in->span.kind = kind;
	in->span.protocol = protocol;
	in->span.pid = bpf_get_current_pid_tgid() >> 32;
	in->span.goid = current_goid(regs);
	new_span_id(in->span.span_id);
	return in;
}

/* A server span continues the caller's trace when the traceparent value
 * (a Go string at value) is valid; otherwise it starts a new one, and a
 * malformed value is counted. */
static __always_inline void continue_trace(struct span *span, struct go_str *value)
{
	char text[64];
	struct trace_parent tp;
	if (value && value->len >= TRACEPARENT_LEN) {
		__u64 n = value->len < sizeof(text) ? value->len : sizeof(text);
		if (bpf_probe_read_user(text, n, (void *)value->ptr) == 0 &&
		    parse_traceparent(text, value->len, &tp)) {
			__builtin_memcpy(span->trace_id, tp.trace_id, TRACE_ID_SIZE);
			__builtin_memcpy(span->parent_span_id, tp.span_id, SPAN_ID_SIZE);
			return;
		}
	}
	if (value)
		count(COUNTER_BAD_TRACEPARENT);
	new_trace_id(span->trace_id);
}

static __always_inline struct inflight *begin(go_regs *regs, enum span_kind kind, __u64 req)
{
	struct inflight *in = new_inflight(regs, kind, SPAN_PROTOCOL_HTTP);
	if (!in)
		return 0;
	in->span.method_len = read_go_string(req + off_request_method, in->span.method, METHOD_MAX);
	__u64 url = read_u64(req + off_request_url);
	if (url) {
		in->span.path_len = read_go_string(url + off_url_path, in->span.path, PATH_MAX_LEN);
		if (kind == SPAN_KIND_CLIENT)
			in->span.host_len = read_go_string(url + off_url_host, in->span.host, HOST_MAX);
	}
	in->span.start_ns = bpf_ktime_get_ns();
	return in;
}

/*
 * Whether this span wakes the agent. By default the kernel wakes the reader
 * for every record that finds the ring empty, which a reader keeping up finds
 * every time: one wake-up per span, an inter-processor interrupt in the
 * target (irq_work) and a context switch in the agent, each costing more than
 * the rest of the span. Instead a span wakes the agent when none has for
 * wakeup_interval_ns, or when the ring is filling up; the agent drains
 * whatever arrived unannounced on a timer of its own (agent/native/loader.cc),
 * so a span waits at most a few intervals and the agent wakes once per batch.
 */
static __always_inline __u64 wakeup_flag(__u64 now)
{
	if (now - last_wakeup_ns >= wakeup_interval_ns || bpf_ringbuf_query(&spans, BPF_RB_AVAIL_DATA) >= WAKEUP_AVAIL_BYTES) {
		last_wakeup_ns = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void finish(void *inflight_map, go_regs *regs, __s64 status, int server)
{
	__u64 goid = current_goid(regs);
	struct inflight *in = entry_of(inflight_map, goid);
	if (!in)
		return;
	struct span *out = bpf_ringbuf_reserve(&spans, sizeof(struct span), 0);
	if (!out) {
		count(COUNTER_RINGBUF_FULL);
		bpf_map_delete_elem(inflight_map, &goid);
		return;
	}
	__builtin_memcpy(out, &in->span, sizeof(struct span));
	__u64 now = bpf_ktime_get_ns();
	out->end_ns = now;
	if (server) {
		status = in->rw_data ? (__s64)read_u64(in->rw_data + off_response_status) : 0;
		/* ServeMux sets req.pat while the handler runs: only a return sees it. */
		__u64 pat = (off_request_pat && in->req) ? read_u64(in->req + off_request_pat) : 0;
		out->route_len = pat ? read_go_string(pat + off_pattern_str, out->route, ROUTE_MAX) : 0;
	}
	out->status = status;
	bpf_ringbuf_submit(out, wakeup_flag(now));
	bpf_map_delete_elem(inflight_map, &goid);
}

SEC("uprobe")
int server_enter(go_regs *regs)
{
	/* Args: sh (one word: *Server), rw (iface: itab, data), req. */
	__u64 req = GO_ARG4(regs);
	struct inflight *in = begin(regs, SPAN_KIND_SERVER, req);
	if (!in)
		return 0;
	struct map_scan *found = off_request_header ? go_map_find(read_u64(req + off_request_header), "Traceparent\0\0\0\0", 11) : 0;
	continue_trace(&in->span, found && found->found ? &found->value : 0);
	in->rw_data = GO_ARG3(regs);
	in->req = req;
	if (bpf_map_update_elem(&server_inflight, &in->span.goid, in, BPF_ANY) != 0)
		count(COUNTER_INFLIGHT_FULL);
	return 0;
}

SEC("uprobe")
int server_return(go_regs *regs)
{
	/* The status is what the handler wrote; 0 if it wrote nothing yet
	 * (net/http then sends 200 when it finishes the request). */
	finish(&server_inflight, regs, 0, 1);
	return 0;
}

SEC("uprobe")
int client_enter(go_regs *regs)
{
	/* Args: t (*Transport), req. */
	struct inflight *in = begin(regs, SPAN_KIND_CLIENT, GO_ARG2(regs));
	if (!in)
		return 0;
	join_trace(&in->span);
	if (bpf_map_update_elem(&client_inflight, &in->span.goid, in, BPF_ANY) != 0)
		count(COUNTER_INFLIGHT_FULL);
	return 0;
}

SEC("uprobe")
int client_return(go_regs *regs)
{
	/* At RET the results are in registers: *Response in the first one,
	 * the error interface after it. No response (an error): status -1. */
	__u64 resp = GO_ARG1(regs);
	__s64 status = resp ? (__s64)read_u64(resp + off_client_status_code) : -1;
	finish(&client_inflight, regs, status, 0);
	return 0;
}

#include "grpc.h"

