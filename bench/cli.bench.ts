// The CLI as a person waits for it: whole processes, spawned side by side in one run
// (round-robin, so that the machine's load drifts over all of them alike). `offsets`
// is run as a command, through its launcher's shell line; `node bin/offsets.cjs` rows
// show the same CLI started as Node starts by default. The reference is a bare
// `node -e ''`; `dwarf --all --json` is also set against a Go program printing the
// same rows with debug/dwarf (bench/dwarf-rows), whose output is checked byte for
// byte first.
import { execFile, spawnSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { cachePath } from '../common/cache-dir.js';
import { packageRoot } from '../common/package-root.js';
import { dwarfProbes } from '../test/oracle/dwarf/oracle.js';
import { goBuildOnce, matrixToolchains } from '../test/support/toolchains.js';

const exec = promisify(execFile);
const RUNS = 31;
const SELECTOR = 'net/http.Request.ctx';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function certificates(file: string): Promise<number | string> {
  try {
    return (await readFile(file, 'latin1')).split('-----BEGIN CERTIFICATE-----').length - 1;
  } catch {
    return 'unreadable';
  }
}

// The launcher execs the `node` of PATH: this one's comes first, so that every row runs one Node.
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` };

/** Wall time of one whole process, from spawn to exit, output discarded. */
function timeOnce(argv: string[]): number {
  const t = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'ignore'], env });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  return ms;
}

export async function run(): Promise<void> {
  const root = packageRoot();
  const toolchains = await matrixToolchains();
  const newest = toolchains[toolchains.length - 1];
  const candidates = (await dwarfProbes()).filter((p) => !p.stripped && p.arch === 'amd64');
  const sizes = await Promise.all(candidates.map(async (p) => (await stat(p.path)).size));
  const probe = candidates[sizes.indexOf(Math.max(...sizes))];
  const goRows = await goBuildOnce(newest, cachePath('bench', 'dwarf-rows', newest.version, 'dwarf-rows'), {
    cwd: join(root, 'bench', 'dwarf-rows'),
    env: { CGO_ENABLED: '0' },
    what: 'bench/dwarf-rows',
  });
  const launcher = join(root, 'bin', 'offsets.cjs');
  // `offsets` as a person runs it: the launcher itself, through its #!/bin/sh line, which drops
  // NODE_EXTRA_CA_CERTS and passes --v8-pool-size=1 to Node (bin/offsets.cjs says why).
  const offsets = [launcher];
  // `node bin/offsets.cjs` skips that line: Node starts as it always does. Where NODE_EXTRA_CA_CERTS
  // is set, every such start (node -e '' too) first parses that bundle of certificates.
  const throughNode = [process.execPath, launcher];
  // A bare start made as the launcher makes it: /bin/sh, then the same `node` (PATH below).
  const startedAsLauncher = ['/bin/sh', '-c', 'unset NODE_EXTRA_CA_CERTS; exec node --v8-pool-size=1 -e ""'];
  const commands: [string, string[]][] = [
    ["node -e ''", [process.execPath, '-e', '']],
    ['offsets --help', [...offsets, '--help']],
    [`offsets lookup ${SELECTOR} --go 1.22.12`, [...offsets, 'lookup', SELECTOR, '--go', '1.22.12']],
    [`offsets dwarf BIN ${SELECTOR}`, [...offsets, 'dwarf', probe.path, SELECTOR]],
    ['offsets dwarf BIN --all --json', [...offsets, 'dwarf', probe.path, '--all', '--json']],
    ['Go debug/dwarf: dwarf-rows BIN', [goRows, probe.path]],
    [`node bin/offsets.cjs dwarf BIN ${SELECTOR}`, [...throughNode, 'dwarf', probe.path, SELECTOR]],
    ['node bin/offsets.cjs dwarf BIN --all --json', [...throughNode, 'dwarf', probe.path, '--all', '--json']],
    ["node -e '' started as the launcher starts node", startedAsLauncher],
  ];

  const [ts, go] = await Promise.all([exec(launcher, ['dwarf', probe.path, '--all', '--json'], { maxBuffer: 1 << 28, env }), exec(goRows, [probe.path], { maxBuffer: 1 << 28 })]);
  if (ts.stdout !== go.stdout) throw new Error('offsets dwarf --all --json and bench/dwarf-rows print different rows');
  const rows = (JSON.parse(ts.stdout) as unknown[]).length;

  const loadBefore = loadavg()[0];
  const times = commands.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) commands.forEach(([, argv], c) => times[c].push(timeOnce(argv)));
  const loadAfter = loadavg()[0];

  const medians = times.map(median);
  const goAt = commands.findIndex(([name]) => name.startsWith('Go'));
  const bareAsLauncher = commands.findIndex(([name]) => name.startsWith("node -e '' started"));
  const goAll = medians[goAt];
  console.log(`binary: ${probe.toolchain.version} ${probe.variant} (${(Math.max(...sizes) / 2 ** 20).toFixed(1)} MiB); --all --json: ${rows} rows, ${ts.stdout.length} bytes, identical to Go's`);
  console.log(`Go: bench/dwarf-rows built with ${newest.version}; node ${process.version}; ${RUNS} runs each, round-robin; load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`);
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  console.log(`NODE_EXTRA_CA_CERTS: ${ca ? `${ca} (${await certificates(ca)} certificates, parsed at every Node start but the launcher's)` : 'not set'}`);
  console.log('');
  // Besides the ratio of medians, each row's median difference from a bare start of the same round,
  // started the same way (`offsets` rows: as the launcher starts node): pairs taken a few
  // milliseconds apart share the machine's moment, so this moves less with the VM's slow and fast
  // spells, and it is the time the CLI itself adds to its Node's start.
  console.log('| whole process | median | min-max | vs node -e \'\' | vs a bare start made the same way | added to that start (paired) | vs Go |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  commands.forEach(([name], c) => {
    const s = [...times[c]].sort((a, b) => a - b);
    const vsGo = name.includes('--all') || name.startsWith('Go') ? `${(medians[c] / goAll).toFixed(2)}x` : '';
    const bareAt = name.startsWith('offsets') ? bareAsLauncher : 0;
    const added = median(times[c].map((t, i) => t - times[bareAt][i]));
    const showAdded = c !== 0 && c !== bareAsLauncher && !name.startsWith('Go');
    const vsOwn = showAdded ? `${(medians[c] / medians[bareAt]).toFixed(2)}x` : '';
    console.log(`| ${name} | ${medians[c].toFixed(0)} ms | ${s[0].toFixed(0)}-${s[s.length - 1].toFixed(0)} ms | ${(medians[c] / medians[0]).toFixed(2)}x | ${vsOwn} | ${showAdded ? `${added.toFixed(1)} ms` : ''} | ${vsGo} |`);
  });
}
