/* The record the eBPF programs write to the ring buffer, and the counters.
 * agent/span.ts decodes them with agent/span-layout.generated.ts, which
 * scripts/gen-span-layout.mjs writes from the objects' BTF (make -C bpf):
 * struct span's member offsets and array sizes, enum span_kind and enum
 * counter. test/agent/span-layout.test.ts checks it against the BTF. */
#pragma once

#include <linux/types.h>

enum span_kind {
	SPAN_KIND_SERVER = 1,
	SPAN_KIND_CLIENT = 2,
};

enum span_protocol {
	SPAN_PROTOCOL_HTTP = 1,
	SPAN_PROTOCOL_GRPC = 2,
};

#define METHOD_MAX 16
#define PATH_MAX_LEN 128
#define HOST_MAX 64
#define ROUTE_MAX 128

/* gRPC spans reuse the text fields: path holds the full method
 * ("/pkg.Service/Method"), host the client's ClientConn.target. */
struct span {
	__u64 start_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 end_ns;
	__u64 goid;
	__s64 status; /* HTTP status, or the gRPC status code */
	__u32 pid;
	__u32 kind;
	__u32 protocol;
	__u32 method_len; /* bytes copied into method/path/host */
	__u32 path_len;
	__u32 host_len;
	__u32 route_len; /* server: the ServeMux pattern that matched (Go 1.22+), 0 if none */
	__u8 trace_id[16];
	__u8 span_id[8];
	__u8 parent_span_id[8]; /* all zero: a root span */
	char method[METHOD_MAX];
	char path[PATH_MAX_LEN];
	char host[HOST_MAX];
	char route[ROUTE_MAX]; /* the pattern as registered, e.g. "GET /items/{id}" */
};

/* Indexes of the counters map; COUNTER_COUNT is their number. */
enum counter {
	COUNTER_RINGBUF_FULL, /* spans lost because the ring buffer was full */
	COUNTER_INFLIGHT_FULL, /* entries that found no room in the in-flight map */
	COUNTER_UNPAIRED_RETURN, /* return sites reached with no recorded entry */
	COUNTER_BAD_TRACEPARENT, /* incoming traceparent values that were malformed (a new trace was started) */
	COUNTER_COUNT
};
