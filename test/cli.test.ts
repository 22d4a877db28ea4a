/** The real `gradproof` command, run as a subprocess: exit statuses, output, diagnostics. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './helpers/reference.js';

const bin = join(projectRoot, 'bin/gradproof.mjs');
const env = { ...process.env, NO_COLOR: '1' };
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: projectRoot, encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const scratch = () => mkdtempSync(join(tmpdir(), 'gradproof-cli-'));
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('gradproof check', () => {
  it('passes the seed model with the default method (exit 0)', () => {
    const r = run('check', 'graphs/fraud.graph');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^PASS: gᵀv agrees with finite differences along 3 random directions over all 47 elements, each within its error bound \(difference \d\.\d\de-(10|11)\) \(7 forward evaluations/);
    const full = run('check', 'graphs/fraud.graph', '--full');
    expect(full.status).toBe(0);
    expect(full.stdout.trim().split('\n').at(-1)).toMatch(/^PASS: every element within its error bound \(closest: 0\.\d\d of it; difference \d\.\d\de-(10|11)\) \(95 forward evaluations/);
  });

  it("reproduces the seed's false alarm with --method seed (exit 1)", () => {
    const r = run('check', 'graphs/fraud.graph', '--method', 'seed', '--mode', 'graph', '--json');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ file: 'graphs/fraud.graph', method: 'seed', mode: 'graph', verdict: 'fail', threshold: 1e-7, evaluations: 95, complete: true });
    expect(Math.abs(report.difference / 1.189e-7 - 1)).toBeLessThan(0.02);
    expect(report.params.map((p: { name: string }) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
  });

  it("fails the buggy seed model, naming Z2's W (×2) and Z1's b (×4) and no other node (exit 1)", () => {
    const r = run('check', 'graphs/fraud-buggy.graph', '--json');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.params.filter((p: { verdict: string }) => p.verdict === 'fail').map((p: { name: string }) => p.name)).toEqual(['b1', 'W2']);
    const blamed = report.nodes.flatMap((n: { id: string; inputs: { name: string; verdict: string; diagnosis: string }[] }) =>
      n.inputs.filter((i) => i.verdict === 'fail').map((i) => `${n.id}.${i.name}: ${i.diagnosis}`));
    expect(blamed).toEqual(['Z1.b: analytic = 4.000 × numeric', 'Z2.W: analytic = 2.000 × numeric']);
    expect(run('check', 'graphs/fraud-buggy.graph').stdout).toMatch(/^FAIL: node Z1, input b: analytic = 4\.000 × numeric; node Z2, input W: analytic = 2\.000 × numeric \(/m);
  });

  it('reproduces the 1-D case bit for bit, with only JSON on stdout', () => {
    const r = run('check', 'graphs/linear1d.graph', '--method', 'seed', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).difference).toBe(2.919335883291695e-10);
  });

  it('streams NDJSON progress on stderr with --progress json', () => {
    const r = run('check', 'graphs/fraud.graph', '--full', '--progress', 'json', '--json');
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.type === 'progress' && e.total === 94)).toBe(true);
    expect(events.at(-1)).toMatchObject({ done: 94, total: 94 });
  });

  it('passes the other example graphs', () => {
    for (const file of ['graphs/residual-tanh.graph', 'graphs/gated.graph']) expect(run('check', file).status, file).toBe(0);
  });
});

describe('bad usage and bad input exit 2 with a message and no stack trace', () => {
  it.each([
    [['check', 'graphs/fraud.graph', '--method', 'nope'], /argument 'nope' is invalid/],
    [['check', 'graphs/fraud.graph', '--eps', '-1'], /expected a positive number, got '-1'/],
    [['check'], /missing required argument 'file'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    noStack(r.stderr);
  });

  it('a missing graph file', () => {
    const r = run('check', 'graphs/nope.graph');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^graphs\/nope\.graph: /);
    noStack(r.stderr);
  });

  it('a mistake in a graph file, at its line and column with a caret', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'bad.graph'), 'param P[2] = [1, 2]\n\nS = lineer(P)\nc = sum(S)\n');
    const r = run('check', join(dir, 'bad.graph'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${join(dir, 'bad.graph')}:3:5: unknown op 'lineer' in node S\n  3 | S = lineer(P)\n    |     ^^^^^^\n  hint: did you mean 'linear'?\n`);
  });

  it("an op that throws during the check, placed at its node's line", () => {
    const dir = scratch();
    writeFileSync(join(dir, 'boom.mjs'), "export default { name: 'boom', inputs: ['x'], forward([x]) { return x; }, backward() { throw new Error('no rule yet'); } };\n");
    writeFileSync(join(dir, 'g.graph'), 'use "./boom.mjs"\nparam P[2] = [1, 2]\nB = boom(P)\nc = sum(B)\n');
    const r = run('check', join(dir, 'g.graph'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/g\.graph:3:\d+: node B: boom\.backward threw: no rule yet\n  3 \| B = boom\(P\)\n/);
    noStack(r.stderr);
  });

  it('no command at all is bad usage: the usage on stderr, exit 2', () => {
    const r = run();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^Usage: gradproof/);
  });

  it('--help and --version exit 0', () => {
    expect(run('--help')).toMatchObject({ status: 0 });
    expect(run('--help').stdout).toMatch(/Usage: gradproof/);
    expect(run('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('Ctrl-C', () => {
  it('stops the check, prints the partial report and exits 130', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'big.graph'), 'input X[60, 40] = randn(1)\nparam W[60, 60] = randn(2, 0.1)\nparam V[60, 60] = randn(3, 0.1)\nH = matmul(W, X)\nT = tanh(H)\nU = matmul(V, T)\nc = sum(U)\n');
    const child = spawn(process.execPath, [bin, 'check', join(dir, 'big.graph'), '--full', '--progress', 'json'], { cwd: projectRoot, env });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    // Interrupt once the first progress event shows the replays are under way.
    child.stderr.once('data', () => child.kill('SIGINT'));
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status).toBe(130);
    expect(stdout).toMatch(/^INTERRUPTED: \d+ of 7200 elements checked/m);
  });
});
