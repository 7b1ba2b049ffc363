// The `rearguard` command: start the server, import history, simulate, train, evaluate, bench (see cli.ts).
import { runCli } from './cli.ts';

const [name] = process.argv.slice(2);
const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
// A started server keeps the process alive; every other command ends here with its exit code.
if (name !== 'start' || code !== 0) process.exit(code);
