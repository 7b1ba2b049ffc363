// Progress bars on stderr for the long commands (replay, training); quiet when asked, plain lines when not a terminal.
import cliProgress from 'cli-progress';

export interface ProgressBar {
  start(total: number, label: string): void;
  update(value: number, payload?: Record<string, string>): void;
  stop(): void;
}

export function makeProgressBar(stream: NodeJS.WritableStream, quiet = false): ProgressBar {
  if (quiet) return { start() {}, update() {}, stop() {} };
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(total, label) {
      bar?.stop();
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label.padEnd(8)} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left {detail}`,
          noTTYOutput: true,
          notTTYSchedule: 10_000,
          etaBuffer: 100,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { detail: '' });
    },
    update: (value, payload) => bar?.update(value, payload),
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
