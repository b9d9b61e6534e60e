import { rmSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");

export interface ChildCommand {
  /** Node arguments that start the fixture. */
  readonly args: string[];
  /** Remove the bundle. */
  dispose(): void;
}

/**
 * Bundle a child-process fixture once per test file: a start then costs ~0.1 s of CPU, not ~0.6 s
 * through tsx. Without esbuild (it comes with tsx) each child starts through tsx: slower, same test.
 */
export async function bundleChild(source: string, name: string): Promise<ChildCommand> {
  const bundle = join(ROOT, `node_modules/.cache/baton/${name}-${process.pid}-${Date.now()}.mjs`);
  try {
    const { build } = await import("esbuild");
    await build({
      entryPoints: [source],
      bundle: true,
      packages: "external",
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: bundle,
      logLevel: "error",
    });
    return { args: [bundle], dispose: () => rmSync(bundle, { force: true }) };
  } catch {
    return { args: ["--import", "tsx", source], dispose: () => undefined };
  }
}
