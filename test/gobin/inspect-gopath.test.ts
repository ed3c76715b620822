// Library fields of a GOPATH build (no module versions in buildinfo): `inspect --offsets`
// answers them from the type descriptors of the stripped build, equal to Go's debug/dwarf
// reading of the unstripped build, and says the module version is unknown. The libraries
// are stand-ins with the tracked structs' real field lists (test/fixtures/gopath).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOffsets } from '../../cli/commands/inspect-offsets.js';
import { GoBinary } from '../../gobin/index.js';
import { loadTable } from '../../offsets/index.js';
import { loadConfig } from '../../tracker/config.js';
import { runOracle } from '../oracle/dwarf/oracle.js';
import { gopathProbe } from '../support/gopath-probe.js';
import { matrixToolchains } from '../support/toolchains.js';

const toolchains = await matrixToolchains();
const config = await loadConfig();
// The repository's table lists golang.org/x/net: a GOPATH build must still not be looked up in it.
const table = await loadTable(join(import.meta.dirname, '..', '..', 'offsets', 'offsets.json'));
// Every x/net and genproto field of the default config: all their structs are in the probe.
const LIBRARY_FIELDS = [
  'golang.org/x/net/http2.FrameHeader.StreamID',
  'golang.org/x/net/http2.HeadersFrame.FrameHeader',
  'golang.org/x/net/http2.MetaHeadersFrame.Fields',
  'golang.org/x/net/http2.MetaHeadersFrame.HeadersFrame',
  'google.golang.org/genproto/googleapis/rpc/status.Status.Code',
  'google.golang.org/genproto/googleapis/rpc/status.Status.Message',
];

describe('inspect --offsets on a stripped GOPATH build', () => {
  for (const tc of [toolchains[0], toolchains[toolchains.length - 1]]) {
    it(`${tc.version}: library fields from the descriptors, module version unknown`, async () => {
      const [stripped, plain] = await Promise.all([gopathProbe(tc, 'stripped'), gopathProbe(tc, 'plain')]);
      const bin = await GoBinary.open(stripped);
      expect(bin.stripped).toBe(true);
      expect(bin.buildInfo().modules).toEqual([]);
      const [dwarf, report] = await Promise.all([runOracle(tc, plain), resolveOffsets(bin, config, { table, policy: 'range' })]);
      const libs = report.offsets.filter((o) => o.module !== 'std');
      expect(libs.map((o) => o.field)).toEqual(LIBRARY_FIELDS);
      for (const o of libs) {
        const dot = o.field.lastIndexOf('.');
        const want = dwarf.find((s) => s.name === o.field.slice(0, dot))!.members.find((m) => m.name === o.field.slice(dot + 1))!.offset;
        expect(o).toMatchObject({ version: 'unknown', source: 'types', status: 'found', offset: want });
        expect(o.message).toMatch(/module version unknown/);
        // Without a version the table is not asked.
        expect(o.table).toBeUndefined();
      }
      // Modules with no struct in the binary (grpc, otel, kafka-go) do not apply.
      expect(report.offsets.some((o) => o.module === 'google.golang.org/grpc')).toBe(false);
    });

    it(`${tc.version}: two function-local types named main.point are ambiguous, never answered`, async () => {
      const [stripped, plain] = await Promise.all([gopathProbe(tc, 'stripped'), gopathProbe(tc, 'plain')]);
      const td = (await GoBinary.open(stripped)).types();
      expect(td.ambiguous().get('main.point')).toBe(2);
      expect(td.findStruct('main.point')).toBeUndefined();
      expect(td.structs().some((s) => s.name === 'main.point')).toBe(false);
      expect(td.field('main.point.X')).toEqual({ type: 'main.point', field: 'X', offset: null, size: null, missing: 'ambiguous' });
      // DWARF tells them apart by a suffix; the descriptors cannot, and so do not answer.
      const names = (await runOracle(tc, plain)).map((s) => s.name).filter((n) => n.startsWith('main.point'));
      expect(names.sort()).toEqual(['main.point·1', 'main.point·2']);
    });
  }
});
