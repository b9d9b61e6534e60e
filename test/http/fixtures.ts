/** Graphs without MCP servers, and an app over a temporary SQLite file, for the HTTP tests. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "../../src/engine/store.js";
import { StateGraph } from "../../src/graph/builder.js";
import { append, value } from "../../src/graph/channels.js";
import { END, START } from "../../src/graph/constants.js";
import { defineState } from "../../src/graph/state.js";
import { type AppOptions, type BatonApp, createApp } from "../../src/http/app.js";
import { staticWorkflows } from "../../src/http/workflows.js";
import { openSqliteStore } from "../../src/stores/sqlite/index.js";

const SagaState = defineState({
  failAt: value<string | null>(null),
  /** Hold each step this long (to catch a run while it is running). */
  delayMs: value(0),
  log: append<string>(),
  undone: append<string>(),
});

const wait = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * START -> reserve -> [pay, notify] (in parallel) -> ship (a join) -> END. Every step can be undone;
 * `failAt` fails that step on every attempt (two attempts each). `undos` records the undo order.
 */
export function sagaGraph(store: Store, undos: string[] = []) {
  const step = (name: string) =>
    [
      name,
      async (s: { failAt: string | null; delayMs: number }, c: { signal: AbortSignal; attempt: number }) => {
        if (s.delayMs > 0) await wait(s.delayMs, c.signal);
        if (s.failAt === name) throw new Error(`${name} broke (attempt ${c.attempt})`);
        return { log: name };
      },
      {
        retry: { attempts: 2, initialDelayMs: 5 },
        compensate: () => {
          undos.push(name);
        },
      },
    ] as const;
  return new StateGraph(SagaState)
    .addNode(...step("reserve"))
    .addNode(...step("pay"))
    .addNode(...step("notify"))
    .addNode(...step("ship"))
    .addEdge(START, "reserve")
    .addEdge("reserve", "pay")
    .addEdge("reserve", "notify")
    .addEdge(["pay", "notify"], "ship")
    .addEdge("ship", END)
    .compile({ store, name: "mini-saga" });
}

const AskState = defineState({
  topic: value(""),
  decision: value<{ approved: boolean; assignee?: string } | null>(null),
  route: append<string>(),
});

/** START -> triage -> (router) -> ask (pauses for a decision) | auto -> done -> END. */
export function approvalGraph(store: Store) {
  return new StateGraph(AskState)
    .addNode("triage", () => ({ route: "triage" }))
    .addNode("ask", (_s, c) => {
      const decision = c.interrupt<{ approved: boolean; assignee?: string }>({ question: "approve?" });
      return { decision, route: "ask" };
    })
    .addNode("auto", () => ({ route: "auto" }))
    .addNode("done", () => ({ route: "done" }))
    .addEdge(START, "triage")
    .addConditionalEdges("triage", (s) => (s.topic === "urgent" ? "needs_human" : "fine"), {
      needs_human: "ask",
      fine: "auto",
    })
    .addEdge("ask", "done")
    .addEdge("auto", "done")
    .addEdge("done", END)
    .compile({ store, name: "approval" });
}

export interface TestApp extends BatonApp {
  store: Store;
  dbPath: string;
  undos: string[];
  /** Turn `flaky`'s failure off to let a retry succeed. */
  broken: { on: boolean };
  close(): Promise<void>;
}

/** An app over a fresh SQLite file with `mini-saga` and `approval`, API only. */
export function testApp(options: Partial<AppOptions> = {}): TestApp {
  const dbPath = join(mkdtempSync(join(tmpdir(), "baton-http-")), "runs.db");
  const store = openSqliteStore(dbPath);
  const undos: string[] = [];
  const broken = { on: true };
  const baton = createApp({
    store,
    workflows: staticWorkflows({
      "mini-saga": sagaGraph(store, undos),
      approval: approvalGraph(store),
      flaky: flakyGraph(store, broken),
    }),
    uiDir: false,
    pollMs: 50,
    ...options,
  });
  return {
    ...baton,
    store,
    dbPath,
    undos,
    broken,
    async close() {
      await baton.close(1_000);
      await store.close();
    },
  };
}

/** JSON request helpers over `app.request()` (no socket). */
export function client(app: BatonApp["app"], headers: Record<string, string> = {}) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON loosely.
    return { status: res.status, body: json as any, headers: res.headers };
  };
  return {
    get: (path: string) => call("GET", path),
    post: (path: string, body?: unknown) => call("POST", path, body),
  };
}

/** Poll until `check` returns a value (not undefined), or fail after `ms`. */
export async function until<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await check();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

export type FeedMessage = { type: string; runId?: string; [k: string]: unknown };

/** Reads an SSE response in the background; `waitFor` resolves once a message matching `match` arrived. */
export function openFeed(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: FeedMessage[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  let ended = false;
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n");
        if (data) events.push(JSON.parse(data));
      }
      for (const w of waiters) w();
    }
    ended = true;
    for (const w of waiters) w();
  })();
  return {
    events,
    get ended() {
      return ended;
    },
    waitFor(match: (e: FeedMessage) => boolean, ms = 10_000): Promise<FeedMessage> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(match);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          } else if (ended) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`feed ended; got ${events.map((e) => e.type).join(", ")}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event in ${ms} ms; got ${events.map((e) => e.type).join(", ")}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    async close() {
      await reader.cancel().catch(() => undefined);
      await pump;
    },
  };
}

const FlakyState = defineState({ log: append<string>() });

/** START -> first -> shaky -> END; `shaky` fails while `broken.on` (no undo: the run ends failed). */
export function flakyGraph(store: Store, broken: { on: boolean }) {
  return new StateGraph(FlakyState)
    .addNode("first", () => ({ log: "first" }))
    .addNode("shaky", () => {
      if (broken.on) throw new Error("shaky is down");
      return { log: "shaky" };
    })
    .addEdge(START, "first")
    .addEdge("first", "shaky")
    .addEdge("shaky", END)
    .compile({ store, name: "flaky" });
}
