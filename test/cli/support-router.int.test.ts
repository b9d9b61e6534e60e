import { afterAll, describe, expect, it } from "vitest";
import { baton, batonJson, cleanup, tempDir } from "./helpers.js";

afterAll(cleanup);

const route = (out: Record<string, unknown>) => (out.route as string[]).join(" → ");

describe.concurrent("baton run support-router: routing", () => {
  it.each([
    ["customer_service", "I need a refund for my last order"],
    ["technical_support", "The API integration returns an error and crashes"],
    ["sales", "What does the pro plan cost? I would like a demo"],
    ["data_analysis", "Can I get the analytics report with last month's metrics"],
    ["general", "Hello, who are you?"],
  ])("routes to %s", async (category, query) => {
    const r = await batonJson(["run", "support-router", "--query", query], { cwd: tempDir("route") });
    expect(r.code).toBe(0);
    expect(r.status).toBe("completed");
    expect(r.output.category).toBe(category);
    expect(r.output.priority).toBe("low");
    expect(route(r.output)).toBe(`classify → lookup_customer → triage → ${category} → respond`);
    expect(r.output.result).toMatchObject({ type: category, escalated: false, sla: "3 business days" });
  });

  it.each([
    ["medium", "Please update my billing address"],
    ["high", "Important: my login is locked"],
  ])("sets priority %s from urgency words", async (priority, query) => {
    const r = await batonJson(["run", "support-router", "--query", query], { cwd: tempDir("priority") });
    expect(r.status).toBe("completed");
    expect(r.output).toMatchObject({ category: "customer_service", priority, escalationReason: null });
  });
});

describe.concurrent("baton run support-router: escalation", () => {
  it("pauses a critical request (exit 3) and `baton resume --value` completes it with the decision", async () => {
    const cwd = tempDir("escalate");
    const started = await batonJson(
      ["run", "support-router", "--query", "The API is broken, this is urgent"],
      { cwd },
    );
    expect(started.code).toBe(3);
    expect(started.status).toBe("interrupted");
    expect(started.output).toMatchObject({ priority: "critical", escalationReason: "critical priority" });
    expect(started.interrupts).toEqual([
      expect.objectContaining({
        node: "escalate",
        payload: expect.objectContaining({ reason: "critical priority", category: "technical_support" }),
      }),
    ]);

    const value = JSON.stringify({ approved: true, assignee: "sam" });
    const resumed = await batonJson(["resume", started.runId, "--value", value], { cwd });
    expect(resumed.code).toBe(0);
    expect(resumed.status).toBe("completed");
    expect(resumed.runId).toBe(started.runId);
    expect(route(resumed.output)).toBe(
      "classify → lookup_customer → triage → escalate → technical_support → respond",
    );
    expect(resumed.output.result).toMatchObject({
      type: "technical_support",
      escalated: true,
      escalation: { approved: true, assignee: "sam", reason: "critical priority" },
    });
  });

  it("says on the terminal how to resume, and shows the decision once resumed", async () => {
    const cwd = tempDir("escalate-text");
    const query = "I am frustrated, I want to talk to a manager about my order";
    const started = await baton(["run", "support-router", "--query", query, "--run-id", "esc-1"], { cwd });
    expect(started.code).toBe(3);
    expect(started.stdout).toContain(
      "escalated: escalation words: frustrated, manager — waiting for a decision",
    );
    expect(started.stdout).toContain("resume with: baton resume esc-1 --value '<json>'");
    expect(started.stderr).toMatch(/⏸ escalate waiting for input/);
    const resumed = await baton(["resume", "esc-1", "--value", '{"approved": true, "assignee": "kim"}'], {
      cwd,
    });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("approved, assigned to kim");
    expect(resumed.stderr).toMatch(/resuming support-router {2}run esc-1/);
  });

  it("escalates a premium customer (from the database) at high priority, not a basic one", async () => {
    const query = "Important: my login is locked";
    const [premium, basic] = await Promise.all(
      ["alice@example.com", "bob@example.com"].map((customer) =>
        batonJson(["run", "support-router", "--input", JSON.stringify({ query, customer })], {
          cwd: tempDir("tier"),
        }),
      ),
    );
    expect(premium!.code).toBe(3);
    expect(premium!.output).toMatchObject({
      tier: "premium",
      customerName: "Alice Johnson",
      priority: "high",
      escalationReason: "premium customer at high priority",
    });
    expect(basic!.code).toBe(0);
    expect(basic!.output).toMatchObject({ tier: "basic", priority: "high", escalationReason: null });
  });

  it("finds the customer from an email in the query", async () => {
    const query = "Important: my login is locked, I am carol@example.com";
    const r = await batonJson(["run", "support-router", "--query", query], { cwd: tempDir("email") });
    expect(r.status).toBe("interrupted");
    expect(r.output).toMatchObject({ tier: "enterprise", customerName: "Carol Diaz" });
  });
});
