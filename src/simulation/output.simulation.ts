// Writing a simulation to a stream or a file: NDJSON lines gathered into large chunks, with back-pressure.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { SimulationOptionsInput } from './options.simulation.ts';
import { simulate, type ProgressListener, type SimulationSink, type SimulationSummary } from './world.simulation.ts';

const chunkBytes = 4 << 20;

export interface StreamSink {
  readonly sink: SimulationSink;
  /** Writes what is still buffered; ends the stream only when asked (never end process.stdout). */
  finish(end: boolean): Promise<void>;
}

/**
 * Lines are encoded straight into a large buffer and written once per few megabytes: per-call stream
 * costs and joining millions of small strings would otherwise cost more than generating the world.
 */
export function makeStreamSink(stream: NodeJS.WritableStream): StreamSink {
  let buffer = Buffer.allocUnsafe(chunkBytes);
  let used = 0;
  const flush = async (): Promise<void> => {
    if (used === 0) return;
    const chunk = buffer.subarray(0, used);
    // The written chunk belongs to the stream until it is flushed, so the next lines get a fresh buffer.
    buffer = Buffer.allocUnsafe(chunkBytes);
    used = 0;
    if (!stream.write(chunk)) await once(stream, 'drain');
  };
  const append = (line: string): void => {
    // A line longer than a whole chunk (never made by the simulator) is written on its own.
    if (line.length * 3 + 1 > chunkBytes) {
      stream.write(`${line}\n`);
      return;
    }
    used += buffer.write(line, used, 'utf8');
    buffer[used] = 10;
    used += 1;
  };
  return {
    sink: {
      format: 'line',
      write: (line) => {
        // UTF-8 needs at most three bytes per UTF-16 unit: flush first when the line might not fit.
        if (used + line.length * 3 + 1 > chunkBytes && used > 0) return flush().then(() => append(line));
        append(line);
        return undefined;
      },
    },
    finish: async (end) => {
      await flush();
      if (end) {
        stream.end();
        await finished(stream);
      }
    },
  };
}

export async function writeSimulationFile(
  options: SimulationOptionsInput,
  path: string,
  onProgress?: ProgressListener,
): Promise<SimulationSummary> {
  // A deep buffer lets generation run on while earlier chunks are still being written to disk.
  const stream = createWriteStream(path, { encoding: 'utf8', highWaterMark: 4 * chunkBytes });
  const output = makeStreamSink(stream);
  try {
    const summary = await simulate(options, output.sink, onProgress);
    await output.finish(true);
    return summary;
  } catch (error) {
    stream.destroy();
    throw error;
  }
}
