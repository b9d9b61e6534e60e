import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

/** The dashboard's build: `ui/` in, `dist/ui/` out, served by `baton serve`. No network needed. */
export default defineConfig({
  root: here,
  base: "/",
  plugins: [react()],
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/ui", import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
  },
  server: {
    // `vite --config ui/vite.config.ts` for front-end work, against a `baton serve` on 7400.
    proxy: { "/api": "http://127.0.0.1:7400" },
  },
});
