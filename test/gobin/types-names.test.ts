// Struct names from descriptor strings and package paths (gobin/types/structs.ts), and
// the version layouts (gobin/types/layout.ts): the cases the matrix probes exercise,
// spelled out.
import { describe, expect, it } from 'vitest';
import { GobinError } from '../../gobin/errors.js';
import { qualifiedName, typesLayout } from '../../gobin/types/index.js';

describe('qualifiedName', () => {
  it.each([
    ['http.Request', 'net/http', 'net/http.Request'],
    ['runtime.g', 'runtime', 'runtime.g'],
    ['yaml.Node', 'gopkg.in/yaml.v3', 'gopkg.in/yaml.v3.Node'],
    ['main.Pair[string,int]', 'main', 'main.Pair[string,int]'],
    ['atomic.Pointer[net/http.response]', 'sync/atomic', 'sync/atomic.Pointer[net/http.response]'],
    ['go.shape.struct { Key reflect.Value; Value reflect.Value }', 'go.shape', 'go.shape.struct { Key reflect.Value; Value reflect.Value }'],
    ['hpack.Decoder', 'vendor/golang.org/x/net/http2/hpack', 'vendor/golang.org/x/net/http2/hpack.Decoder'],
  ])('%s in %s is %s', (str, pkg, want) => {
    expect(qualifiedName(str, pkg)).toBe(want);
  });

  it('is undefined without a package path or a qualified string', () => {
    expect(qualifiedName('struct { a int }', '')).toBeUndefined();
    expect(qualifiedName('Request', 'net/http')).toBeUndefined();
    expect(qualifiedName('[2]http.Header', 'net/http')).toBeUndefined();
  });
});

describe('typesLayout', () => {
  it('knows Go 1.15 to 1.27 and says so for others', () => {
    expect(typesLayout('go1.15.15')).toMatchObject({ minor: 15, varintNames: false, embeddedInName: false, mapExtra: 40 });
    expect(typesLayout('go1.17.13')).toMatchObject({ varintNames: true, embeddedInName: false });
    expect(typesLayout('go1.20.7 X:boringcrypto')).toMatchObject({ minor: 20, embeddedInName: true, md: { types: 37, typelinks: 44 } });
    expect(typesLayout('go1.24.4').mapExtra).toBe(64);
    expect(typesLayout('go1.24.4', 'noswissmap').mapExtra).toBe(40);
    expect(typesLayout('go1.26.10').md).toMatchObject({ typelinks: 45, itablinks: 48 });
    expect(typesLayout('go1.27.3')).toMatchObject({ mapExtra: 88, md: { types: 37, typedesclen: 38, etypes: 39, itaboffset: 40 } });
    expect(typesLayout('go1.27.3').md.typelinks).toBeUndefined();
    for (const v of ['go1.14.15', 'go1.28.0', 'devel +abc', '']) {
      expect(() => typesLayout(v), v).toThrow(GobinError);
      expect(() => typesLayout(v)).toThrow(expect.objectContaining({ code: 'ERR_TYPES_UNSUPPORTED' }));
    }
  });
});
