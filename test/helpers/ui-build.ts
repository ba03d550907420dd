import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const CONFIG = fileURLToPath(new URL('../../ui/vite.config.ts', import.meta.url));

/**
 * Builds the web UI from the current sources into outDir (a temporary folder): tests see what the
 * sources say now, not a ui/dist left from an older build, and write nothing into the work tree.
 */
export async function buildUi(outDir: string): Promise<void> {
  await build({ configFile: CONFIG, logLevel: 'error', build: { outDir, emptyOutDir: true } });
}
