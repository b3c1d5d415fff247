/** Run the wgml CLI in-process for tests, capturing what it prints. */
import { vi } from 'vitest';
import { Command } from 'commander';

/** Run `wgml <args>` with the commands `register` adds; returns what was printed on stdout and stderr. */
export async function runCli(register: (program: Command) => void, args: string[]): Promise<{ out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => { out.push(a.join(' ')); });
  const elog = vi.spyOn(console, 'error').mockImplementation((...a) => { err.push(a.join(' ')); });
  try {
    const program = new Command('wgml').exitOverride();
    register(program);
    await program.parseAsync(args, { from: 'user' });
  } finally { log.mockRestore(); elog.mockRestore(); }
  return { out: out.join('\n'), err: err.join('\n') };
}
