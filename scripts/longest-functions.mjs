#!/usr/bin/env node
/**
 * The longest functions of the code base, measured with the TypeScript
 * compiler API: function declarations, methods (and constructors, accessors),
 * arrow functions and function expressions, in every tracked .ts file outside
 * test/, bench/, node_modules/, dist/ and generated files (`*.generated.ts`,
 * or a file whose first lines say it is generated).
 *
 *   node scripts/longest-functions.mjs [--top N] [--under DIR]... [--max LINES] [--json]
 *
 * Length is counted in lines, from the function's first line to its last.
 * --under keeps only files below DIR (repeatable); --max exits 1 when any
 * listed function is longer than LINES (a check for CI).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const SKIP_DIRS = new Set(['test', 'bench', 'node_modules', 'dist', '.git']);

function usage(message) {
  process.stderr.write(`longest-functions: ERR_USAGE: ${message}\nusage: node scripts/longest-functions.mjs [--top N] [--under DIR]... [--max LINES] [--json]\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = { top: 10, under: [], max: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--top') opts.top = Number(value());
    else if (a === '--under') opts.under.push(value().replace(/\/+$/, ''));
    else if (a === '--max') opts.max = Number(value());
    else if (a === '--json') opts.json = true;
    else if (a === '--help' || a === '-h') usage('help');
    else usage(`unknown argument ${JSON.stringify(a)}`);
  }
  if (!Number.isInteger(opts.top) || opts.top < 1) usage('--top: expected a positive integer');
  if (opts.max !== undefined && (!Number.isInteger(opts.max) || opts.max < 1)) usage('--max: expected a positive integer');
  return opts;
}

function isGenerated(path, text) {
  if (/\.generated\.ts$/.test(path)) return true;
  const head = text.split('\n', 3).join('\n');
  return /(code generated|@generated|auto-?generated)[^\n]*(do not edit)?/i.test(head) && /do not edit/i.test(head);
}

function* tsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) yield* tsFiles(join(dir, entry.name));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      yield join(dir, entry.name);
    }
  }
}

/** A readable name for a function node: its own, or the variable, property or call it is given to. */
function nameOf(node, sf) {
  if (node.name) return node.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const p = node.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText(sf);
  if (ts.isBinaryExpression(p)) return p.left.getText(sf);
  if (ts.isCallExpression(p)) return `(callback of ${p.expression.getText(sf).slice(0, 40)})`;
  return '(anonymous)';
}

function isFunction(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node)
  );
}

function functionsOf(path) {
  const text = readFileSync(path, 'utf8');
  if (isGenerated(path, text)) return [];
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const file = relative(root, path).split(sep).join('/');
  const out = [];
  const visit = (node) => {
    if (isFunction(node) && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      out.push({ file, line: first, name: nameOf(node, sf), lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const opts = parseArgs(process.argv.slice(2));
const all = [];
for (const path of tsFiles(root)) {
  const file = relative(root, path).split(sep).join('/');
  if (opts.under.length && !opts.under.some((u) => file === u || file.startsWith(`${u}/`))) continue;
  all.push(...functionsOf(path));
}
all.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
const top = all.slice(0, opts.top);
if (opts.json) {
  process.stdout.write(`${JSON.stringify(top, null, 2)}\n`);
} else {
  const width = Math.max(...top.map((f) => `${f.file}:${f.line}`.length), 0);
  for (const f of top) process.stdout.write(`${String(f.lines).padStart(5)}  ${`${f.file}:${f.line}`.padEnd(width)}  ${f.name}\n`);
}
if (opts.max !== undefined && all.some((f) => f.lines > opts.max)) process.exit(1);
