/** Commander's complaints (unknown options, missing arguments) as UsageErrors with a hint in CLI terms. */
import type { Command, CommanderError } from 'commander';
import { UsageError } from '../errors.js';

/** The UsageError for a CommanderError raised while parsing `args` (the words after `wgml`). */
export function usageError(e: CommanderError, program: Command, args: string[]): UsageError {
  // Commander adds its own suggestion on a second line: "(Did you mean --json?)".
  const [first, ...rest] = e.message.replace(/^error:\s*/, '').split('\n');
  const what = first!;
  const suggestion = /Did you mean ([^?]+)\?/.exec(rest.join(' '))?.[1];
  const names = program.commands.map((c) => c.name());
  const sub = program.commands.find((c) => c.name() === args[0] || c.aliases().includes(args[0] ?? ''));
  // `wgml tensor dump`: the deepest command named on the line.
  let cmd = sub, path = sub ? [sub.name()] : [];
  while (cmd) {
    const next: Command | undefined = cmd.commands.find((c) => c.name() === args[path.length]);
    if (!next) break;
    cmd = next; path.push(next.name());
  }
  if (e.code === 'commander.unknownCommand' || (!sub && e.code !== 'commander.unknownOption'))
    return new UsageError(what, `${suggestion ? `did you mean ${suggestion}? ` : ''}the commands are: ${names.join(', ')}; see \`wgml --help\``, { code: e.code });
  const help = `wgml ${path.join(' ')} --help`.replace(/\s+/g, ' ');
  if (e.code === 'commander.unknownOption' && cmd) {
    const opts = cmd.options.map((o) => o.long).filter(Boolean) as string[];
    const given = /'([^']+)'/.exec(what)?.[1] ?? '';
    const near = suggestion ?? opts.find((o) => o.startsWith(given) || given.startsWith(o));
    return new UsageError(what, `${near ? `did you mean ${near}? ` : ''}the options of \`wgml ${path.join(' ')}\` are ${opts.join(', ')}; see \`${help}\``, { code: e.code });
  }
  return new UsageError(what, `see \`${help}\``, { code: e.code });
}
