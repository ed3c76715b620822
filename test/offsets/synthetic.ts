/**
 * A deterministic, realistic set of observations with the coverage of today's
 * largest public offsets table: 107 Go releases (1.12–1.24), about 460
 * versions of 5 library modules, 67 fields, both archs. Offsets move every
 * few minor releases, some fields appear late, a few differ on arm64, one
 * change is backported to an older minor line. Used by the size and speed
 * benchmark and by tests that need a full-size table.
 */
import type { Arch, Observation } from '../../offsets/observation.js';

/** mulberry32: a tiny seeded PRNG, so every run generates the same data. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ARCHS: Arch[] = ['amd64', 'arm64'];

/** Patch releases per minor line 1.12 … 1.24: 107 releases in all. */
const GO_PATCHES = [5, 6, 7, 8, 8, 8, 8, 9, 10, 10, 10, 9, 9];

export function syntheticGoVersions(): string[] {
  const out: string[] = [];
  GO_PATCHES.forEach((count, i) => {
    const minor = 12 + i;
    for (let p = 0; p < count; p++) out.push(p === 0 && minor < 21 ? `go1.${minor}` : `go1.${minor}.${p}`);
  });
  return out;
}

const STD_TYPES: [pkg: string, type: string, fields: string[]][] = [
  ['net/http', 'Request', ['Method', 'URL', 'Proto', 'Header', 'ContentLength', 'Host', 'RemoteAddr', 'RequestURI', 'ctx', 'pat', 'Pattern']],
  ['net/http', 'Response', ['StatusCode', 'Header', 'ContentLength', 'Request']],
  ['net/http', 'response', ['status', 'req', 'handlerHeader', 'conn', 'written']],
  ['net/url', 'URL', ['Path', 'Host', 'RawQuery', 'Scheme']],
  ['runtime', 'g', ['goid', 'm', 'sched', 'labels']],
  ['runtime', 'hmap', ['count', 'B', 'buckets']],
  ['database/sql', 'Conn', ['db', 'dc']],
  ['bufio', 'Writer', ['buf']],
];

const MODULES: [path: string, versions: number, pkgs: [pkg: string, type: string, fields: string[]][]][] = [
  ['google.golang.org/grpc', 130, [
    ['google.golang.org/grpc/internal/transport', 'Stream', ['id', 'method', 'ctx', 'st']],
    ['google.golang.org/grpc/internal/transport', 'http2Client', ['nextID', 'conn', 'framer']],
    ['google.golang.org/grpc', 'ClientConn', ['target', 'csMgr']],
    ['google.golang.org/grpc/internal/status', 'Status', ['s']],
  ]],
  ['golang.org/x/net', 110, [
    ['golang.org/x/net/http2', 'MetaHeadersFrame', ['Fields', 'Truncated']],
    ['golang.org/x/net/http2', 'FrameHeader', ['StreamID', 'Type', 'Length', 'Flags']],
    ['golang.org/x/net/http2/hpack', 'HeaderField', ['Name', 'Value']],
  ]],
  ['github.com/segmentio/kafka-go', 90, [
    ['github.com/segmentio/kafka-go', 'Message', ['Topic', 'Partition', 'Offset', 'Key', 'Headers', 'Time']],
    ['github.com/segmentio/kafka-go', 'Writer', ['Topic']],
  ]],
  ['go.opentelemetry.io/otel', 70, [
    ['go.opentelemetry.io/otel/trace', 'SpanContext', ['traceID', 'spanID', 'traceFlags']],
    ['go.opentelemetry.io/otel/attribute', 'KeyValue', ['Key', 'Value']],
  ]],
  ['github.com/redis/go-redis/v9', 60, [
    ['github.com/redis/go-redis/v9', 'baseClient', ['opt', 'connPool', 'onClose']],
  ]],
];

/** Module versions v<major>.<minor>.<patch> with 1–6 patches per minor, in order. */
function moduleVersions(count: number, rand: () => number): string[] {
  const out: string[] = [];
  for (let minor = 0; out.length < count; minor++) {
    const patches = 1 + Math.floor(rand() * 6);
    for (let p = 0; p < patches && out.length < count; p++) out.push(`v1.${minor}.${p}`);
  }
  return out;
}

function lineOf(version: string): string {
  return /^(?:go|v)(\d+\.\d+)/.exec(version)![1];
}

/**
 * Offsets per version for one field: starts at a random 8-aligned offset, may
 * appear only from some line on, and moves by 8 at some minor lines.
 */
function fieldOffsets(versions: string[], rand: () => number, changeRate: number): (number | null)[] {
  let offset = 8 * Math.floor(rand() * 40);
  const introducedAt = rand() < 0.15 ? Math.floor(rand() * versions.length * 0.6) : 0;
  let line = '';
  return versions.map((v, i) => {
    if (lineOf(v) !== line) {
      line = lineOf(v);
      if (i > 0 && rand() < changeRate) offset += 8 * (1 + Math.floor(rand() * 3));
    }
    return i < introducedAt ? null : offset;
  });
}

export function syntheticObservations(): Observation[] {
  const rand = prng(20240611);
  const obs: Observation[] = [];
  const emit = (module: string, versions: string[], source: string, field: string, offsets: (number | null)[], arm64Delta: number[] | null) => {
    versions.forEach((version, i) => {
      for (const arch of ARCHS) {
        const off = offsets[i];
        const value = off === null ? null : off + (arch === 'arm64' && arm64Delta ? arm64Delta[i] : 0);
        obs.push({ module, version, source, arch, field, result: value === null ? { status: 'absent' } : { status: 'ok', offset: value } });
      }
    });
  };

  const go = syntheticGoVersions();
  let n = 0;
  for (const [pkg, type, fields] of STD_TYPES) {
    for (const name of fields) {
      const field = `${pkg}.${type}.${name}`;
      const offsets = fieldOffsets(go, rand, 0.25);
      if (field === 'net/http.Request.ctx') backport(go, offsets);
      // A few fields sit after an arch-dependent member on arm64 for some releases.
      const arm = n % 12 === 5 ? go.map((v) => (lineOf(v) >= '1.18' ? 8 : 0)) : null;
      emit('std', go, 'go.dev', field, offsets, arm);
      n++;
    }
  }
  for (const [module, count, pkgs] of MODULES) {
    const versions = moduleVersions(count, rand);
    for (const [pkg, type, fields] of pkgs) {
      for (const name of fields) emit(module, versions, 'proxy', `${pkg}.${type}.${name}`, fieldOffsets(versions, rand, 0.12), null);
    }
  }
  return obs;
}

/** The backport case: a change in 1.21.5, carried into 1.22 only from 1.22.1. */
function backport(go: string[], offsets: (number | null)[]): void {
  go.forEach((v, i) => {
    const m = /^go1\.(21|22)\.(\d+)$/.exec(v);
    if (m && offsets[i] !== null && ((m[1] === '21' && Number(m[2]) >= 5) || (m[1] === '22' && Number(m[2]) >= 1))) offsets[i]! += 16;
  });
}

/** Counts of the generated coverage, for reports. */
export function syntheticCoverage(obs: Observation[]): { goReleases: number; moduleVersions: number; fields: number } {
  const go = new Set(obs.filter((o) => o.module === 'std').map((o) => o.version));
  const mods = new Set(obs.filter((o) => o.module !== 'std').map((o) => `${o.module}@${o.version}`));
  return { goReleases: go.size, moduleVersions: mods.size, fields: new Set(obs.map((o) => o.field)).size };
}
