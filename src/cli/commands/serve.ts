import { isLoopbackHost } from "../../http/access.js";
import { startServer } from "../../http/server.js";
import { wholeNumberOption } from "../exit.js";

export interface ServeCommandOptions {
  port?: string;
  host?: string;
  db?: string;
  config?: string;
  token?: string;
  /** `--no-runner` sets it false. */
  runner?: boolean;
}

/** `baton serve`: the HTTP API and the dashboard until SIGINT or SIGTERM; resolves with the exit code. */
export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  const port = wholeNumberOption(options.port ?? "7400", "--port", 0, 65_535);
  const token = options.token ?? (process.env.BATON_TOKEN || undefined);
  const server = await startServer({
    port,
    ...(options.host ? { host: options.host } : {}),
    ...(options.db ? { db: options.db } : {}),
    ...(options.config ? { config: options.config } : {}),
    ...(token ? { token } : {}),
    ...(options.runner === false ? { runner: false } : {}),
  });
  const open = isLoopbackHost(server.host) ? `${server.url}/` : `http://<this machine>:${server.port}/`;
  process.stderr.write(
    `baton dashboard on ${server.url}/  (runs in ${server.dbSpec})\n` +
      (token
        ? `  API calls need the token (Authorization: Bearer …); open ${open}?token=… once in a browser\n`
        : "") +
      "  Ctrl-C to stop\n",
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  process.stderr.write("baton serve: stopping\n");
  await server.close();
  return 0;
}
