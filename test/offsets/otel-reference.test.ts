import { describe, expect, it } from 'vitest';
import { lookup } from '../../offsets/index.js';
import { parseAnyTable } from '../../offsets/loaded-table.js';
import { exportOtel } from '../../offsets/otel/export.js';

// The shape of the public reference file, abridged by hand.
const sample = JSON.stringify([
  {
    module: 'github.com/segmentio/kafka-go',
    packages: [{ package: 'github.com/segmentio/kafka-go', structs: [{ struct: 'Message', fields: [{ field: 'Headers', offsets: [{ offset: null, versions: ['0.1.0', '0.2.2'] }, { offset: 80, versions: ['0.2.3', '0.4.32-msk-iam', '0.4.32'] }] }] }] }],
  },
  {
    module: 'std',
    packages: [{ package: 'net/http', structs: [{ struct: 'Request', fields: [{ field: 'ctx', offsets: [{ offset: 232, versions: ['1.20.0', '1.20.1', '1.21.0'] }, { offset: 240, versions: ['1.21.1'] }] }] }] }],
  },
]);

describe('the reference layout, through offsets/otel', () => {
  it('reads the reference layout into a table that answers the same', () => {
    const t = parseAnyTable(sample, 'sample').table;
    expect(t.modules.std.versions.map((v) => v[0])).toEqual(['go1.20', 'go1.20.1', 'go1.21.0', 'go1.21.1']);
    expect(lookup(t, { field: 'net/http.Request.ctx', go: 'go1.21.1', arch: 'amd64' })).toMatchObject({ offset: 240, status: 'scanned' });
    const kafka = 'github.com/segmentio/kafka-go.Message.Headers';
    // a null is no value (absent or a failed build), never read as absent
    expect(lookup(t, { field: kafka, moduleVersion: 'v0.2.2', arch: 'amd64' })).toMatchObject({ status: 'unknown', offset: null });
    expect(lookup(t, { field: kafka, moduleVersion: 'v0.4.32-msk-iam', arch: 'amd64' })).toMatchObject({ offset: 80, status: 'scanned' });
    // pre-release v0.4.32-msk-iam sorts before v0.4.32
    expect(t.modules['github.com/segmentio/kafka-go'].versions.map((v) => v[0]).slice(-2)).toEqual(['v0.4.32-msk-iam', 'v0.4.32']);
  });

  it('writes it back in the same layout, but for the null, which is left out and listed', () => {
    const out = exportOtel(parseAnyTable(sample, 'sample'));
    const expected = JSON.parse(sample);
    expected[0].packages[0].structs[0].fields[0].offsets.shift();
    expect(out.doc).toEqual(expected);
    expect(out.leftOut).toEqual([
      { field: 'github.com/segmentio/kafka-go.Message.Headers', version: 'v0.1.0', reason: 'otel-null' },
      { field: 'github.com/segmentio/kafka-go.Message.Headers', version: 'v0.2.2', reason: 'otel-null' },
    ]);
  });
});
