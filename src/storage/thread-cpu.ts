// CPU time of the calling thread (not the whole process), so a benchmark can say how the event loop and the
// database worker share the cores. Linux only (/proc/thread-self); null elsewhere.
import { readFileSync } from 'node:fs';

const ticksPerSecond = 100;

export function threadCpuMilliseconds(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return null;
  }
}
