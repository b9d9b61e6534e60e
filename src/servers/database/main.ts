/** Entry point: the database MCP server over stdio. `--db <file>` or `BATON_DATABASE_PATH` picks the file. */
import { serveStdio } from "../shared/stdio.js";
import { databasePathFrom, openDatabase } from "./open.js";
import { createDatabaseServer } from "./server.js";

const db = openDatabase(databasePathFrom(process.argv.slice(2)));
await serveStdio(createDatabaseServer({ db }), () => db.close());
