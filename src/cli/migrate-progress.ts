import { Presets, SingleBar } from 'cli-progress';
import type { MigrationProgress } from '../server/storage/migrate.ts';

/** How often a migration without a terminal says how far it got. */
export const PROGRESS_LINE_EVERY = 1000;

export interface ProgressReporter {
  start(total: number): void;
  copied(progress: MigrationProgress): void;
  stop(): void;
}

/**
 * A bar on a terminal (cli-progress: redrawn in place, throttled, and its own stop leaves the
 * final state on screen), otherwise a plain line every `every` keys, which logs and CI read well.
 */
export function progressReporter(
  stream: NodeJS.WritableStream & { readonly isTTY?: boolean },
  every = PROGRESS_LINE_EVERY,
): ProgressReporter {
  return stream.isTTY === true ? barReporter(stream) : lineReporter(stream, every);
}

function barReporter(stream: NodeJS.WritableStream): ProgressReporter {
  const bar = new SingleBar(
    { stream, format: 'copying [{bar}] {percentage}% | {value}/{total} keys | ETA: {eta_formatted}', hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    start: (total) => {
      bar.start(total, 0);
      started = true;
    },
    copied: ({ copied }) => bar.update(copied),
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

function lineReporter(stream: NodeJS.WritableStream, every: number): ProgressReporter {
  return {
    start: (total) => void stream.write(`copying ${total} keys\n`),
    copied: ({ copied, total }) => {
      if (copied % every === 0 && copied < total) stream.write(`copied ${copied} of ${total} keys\n`);
    },
    stop: () => undefined,
  };
}
