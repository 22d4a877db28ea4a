/**
 * The `gradproof` command. Usage errors and bad input exit 2 with a message and no stack trace;
 * see check-command.ts for the check itself and exit-codes.ts for the statuses.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { runCheck, type CheckCommandOptions } from './check-command.js';
import { collect, integer, positiveNumber } from './options.js';
import { describeError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { processIO, type CliIO } from './io.js';

const version = (): string => JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

function program(io: CliIO, run: (task: Promise<number>) => void): Command {
  const cli = new Command('gradproof')
    .description('Proof that a backward pass is right: gradient checks of graph files.')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run gradproof --help for usage)');

  cli
    .command('check')
    .description('check every param gradient of a graph file against finite differences')
    .argument('<file>', 'the graph file (.graph)')
    .option('--ops <module>', 'load user ops from a module (repeatable), beside the file\'s `use` lines', collect, [])
    .option('--data <file>', 'values by name from a JSON file (repeatable), over the file\'s `data` lines', collect, [])
    .addOption(new Option('--method <method>', "seed: the assignment's exact method (h 1e-7, threshold 1e-7); auto: gradproof's own").choices(['seed', 'auto']).default('auto'))
    .addOption(new Option('--mode <mode>', 'graph: the whole graph; nodes: each node\'s rule on its own; auto: the graph, then the nodes when it fails').choices(['graph', 'nodes', 'auto']).default('auto'))
    .option('--full', 'check every element of every param (the seed\'s way), and of every node input a node check takes, never along random directions', false)
    .option('--eps <h>', "override the method's step", positiveNumber)
    .option('--threshold <t>', "override the method's threshold on the difference", positiveNumber)
    .option('--json', 'print the report as one JSON object on stdout, and nothing else there', false)
    .addOption(new Option('--progress <how>', 'auto: a bar on stderr when it is a terminal; json: NDJSON events on stderr').choices(['auto', 'bar', 'json', 'none']).default('auto'))
    .option('--seed <n>', 'seed for everything random in the check', integer, 0)
    .action((file: string, options: CheckCommandOptions) => run(runCheck(file, options, io)));
  return cli;
}

/** Runs the command line `argv` (without node and the script) and resolves to the exit status. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let task: Promise<number> | undefined;
  if (argv.length === 0) {
    // No command is bad usage: say how to use it, on stderr, and exit 2.
    io.stderr.write(program(io, () => undefined).helpInformation());
    return EXIT.badInput;
  }
  try {
    await program(io, (t) => (task = t)).parseAsync(argv, { from: 'user' });
    if (!task) return EXIT.pass;
    return await task;
  } catch (e) {
    if (e instanceof CommanderError) {
      const quiet = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      return quiet ? EXIT.pass : EXIT.badInput;
    }
    io.stderr.write(`${describeError(e, io.env)}\n`);
    return EXIT.badInput;
  }
}
