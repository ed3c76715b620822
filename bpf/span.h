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

#define METHOD_MAX 16
#define PATH_MAX_LEN 128
#define HOST_MAX 64
#define ROUTE_MAX 128

struct span {
	__u64 start_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 end_ns;
	__u64 goid;
	__s64 status;
	__u32 pid;
	__u32 kind;
	__u32 method_len; /* bytes copied into method/path/host */
	__u32 path_len;
	__u32 host_len;
	__u32 route_len; /* server: the ServeMux pattern that matched (Go 1.22+), 0 if none */
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
	COUNTER_COUNT
};
