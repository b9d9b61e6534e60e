import { Hono } from "hono";
import { notFound } from "../errors.js";
import { graphView } from "../graph-view.js";
import type { WorkflowSource } from "../workflows.js";

/** `/api/workflows…`: the workflows a run may start with, and each one's graph (JSON or Mermaid). */
export function workflowRoutes(workflows: WorkflowSource): Hono {
  const app = new Hono();

  app.get("/", async (c) => c.json({ workflows: await workflows.list() }));

  app.get("/:name/graph", async (c) => {
    const name = c.req.param("name");
    const graph = await workflows.load(name);
    if (!graph) throw notFound(`Unknown workflow "${name}"`);
    const format = c.req.query("format") ?? "json";
    if (format === "mermaid") return c.text(graph.toMermaid());
    if (format !== "json")
      return c.json(
        { error: { code: "BAD_REQUEST", message: 'format must be "json" or "mermaid"', field: "format" } },
        400,
      );
    return c.json(graphView(graph));
  });

  return app;
}
