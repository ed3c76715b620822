import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../tracker/progress.js';

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean; columns?: number }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('progress', () => {
  it('writes plain lines with counts when not a TTY', () => {
    const { stream, text } = capture(false);
    const p = createProgress({ stream });
    const t = p.task('download', 2);
    t.increment('go1.21.13.linux-amd64.tar.gz');
    p.log('debian: unavailable');
    t.increment('go1.22.0.linux-amd64.tar.gz');
    t.done();
    t.done();
    p.stop();
    expect(text()).toBe(
      'download 1/2 go1.21.13.linux-amd64.tar.gz\ndebian: unavailable\ndownload 2/2 go1.22.0.linux-amd64.tar.gz\ndownload done: 2/2\n',
    );
  });

  it('draws bars with counts and an ETA on a TTY', () => {
    const { stream, text } = capture(true);
    const p = createProgress({ stream });
    const builds = p.task('build', 4);
    builds.increment('go1.21.13');
    builds.increment('go1.22.0');
    p.log('a line between bars');
    builds.done();
    p.stop();
    const out = text();
    expect(out).toMatch(/build\s+\[[\u2588\u2591]+\] 2\/4 \| ETA \S+ \| go1\.22\.0/);
    expect(out).toContain('a line between bars');
    expect(out).toContain('\u001b['); // cursor control: bars, not lines
  });
});
