/** Entry point: the weather MCP server over stdio. */
import { serveStdio } from "../shared/stdio.js";
import { createWeatherServer } from "./server.js";

await serveStdio(createWeatherServer());
