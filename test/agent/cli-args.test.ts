// The agent's command line and the OTEL_* variables it reads itself (the
// exporter and the resource detector read the others: otel.e2e.test.ts).
import { describe, expect, it } from 'vitest';
import { parseAgentArgs } from '../../agent/args.js';

describe('offsets-agent arguments', () => {
  it('OTEL_TRACES_EXPORTER=otlp selects the otlp format; --format overrides it', () => {
    const format = (argv: string[], env: Record<string, string>) => parseAgentArgs(['--pid', '1', ...argv], env)?.format;
    expect(format([], {})).toBe('jsonl');
    expect(format([], { OTEL_TRACES_EXPORTER: 'otlp' })).toBe('otlp');
    expect(format([], { OTEL_TRACES_EXPORTER: ' console , OTLP ' })).toBe('otlp');
    expect(format([], { OTEL_TRACES_EXPORTER: 'none' })).toBe('jsonl');
    expect(format(['--format', 'jsonl'], { OTEL_TRACES_EXPORTER: 'otlp' })).toBe('jsonl');
    expect(format(['--format', 'otlp'], {})).toBe('otlp');
  });

  it('has an OTLP endpoint only when --otlp-endpoint is given (else the exporter reads the environment)', () => {
    expect(parseAgentArgs(['--pid', '1'], {})?.otlpEndpoint).toBeUndefined();
    expect(parseAgentArgs(['--pid', '1', '--otlp-endpoint', 'http://127.0.0.1:9/x'], {})?.otlpEndpoint).toBe('http://127.0.0.1:9/x');
    expect(() => parseAgentArgs(['--pid', '1', '--otlp-endpoint', 'not a url'], {})).toThrow(expect.objectContaining({ code: 'ERR_AGENT_USAGE' }));
  });
});
