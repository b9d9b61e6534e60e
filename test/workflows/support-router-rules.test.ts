import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Classification,
  classify,
  DEFAULT_RULES_FILE,
  escalationReason,
  loadRules,
} from "../../src/workflows/support-router/rules.js";

const rules = loadRules(DEFAULT_RULES_FILE);
const dir = mkdtempSync(join(tmpdir(), "baton-rules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rulesFile = (content: unknown) => {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
};

describe("support-router rules: the default file", () => {
  it("has the tutorial's categories, urgency levels, escalation words and SLAs", () => {
    expect(Object.keys(rules.categories)).toEqual([
      "customer_service",
      "technical_support",
      "sales",
      "data_analysis",
    ]);
    expect(rules.fallbackCategory).toBe("general");
    expect(rules.urgency.map((u) => u.priority)).toEqual(["critical", "high", "medium"]);
    expect(rules.defaultPriority).toBe("low");
    expect(rules.escalateWhen.priorities).toEqual(["critical"]);
    expect(rules.sla).toMatchObject({ critical: "1 hour", low: "3 business days" });
  });
});

describe("classify: category", () => {
  it.each([
    ["customer_service", "I was charged twice, I want a refund"],
    ["customer_service", "Where is my delivery? The tracking number does not work"],
    ["technical_support", "The app crashes with an error on login"],
    ["technical_support", "Your API has a timeout on every connection"],
    ["sales", "How much does the enterprise plan cost? Can I get a demo?"],
    ["data_analysis", "I need a report with the revenue trend and a chart"],
    ["general", "Hello! Who are you?"],
  ])("%s: %s", (category, query) => {
    expect(classify(rules, query).category).toBe(category);
  });

  it("picks the category with the most matches, ties going to the first in the file", () => {
    // customer_service: refund; technical_support: error, bug, crash.
    expect(classify(rules, "refund for the error, the bug and the crash").category).toBe("technical_support");
    // one match each: customer_service comes first.
    expect(classify(rules, "billing dashboard").category).toBe("customer_service");
  });

  it("is case-insensitive and matches at the start of words only", () => {
    expect(classify(rules, "REFUNDS please").category).toBe("customer_service");
    expect(classify(rules, "Could you update my profile").category).toBe("general"); // not "data"
    expect(classify(rules, "a rapid reply, please").category).toBe("general"); // not "api"
    expect(classify(rules, "industrial design").category).toBe("general"); // not "trial"
  });
});

describe("classify: priority and escalation words", () => {
  it.each([
    ["low", "my invoice looks odd"],
    ["medium", "please check my invoice when possible"],
    ["high", "important: my invoice is wrong"],
    ["critical", "URGENT: my invoice is wrong"],
    ["critical", "please fix it, it is important and urgent"],
  ])("%s: %s", (priority, query) => {
    expect(classify(rules, query).priority).toBe(priority);
  });

  it("lists the words it found, in lower case", () => {
    const c = classify(rules, "Please, this is URGENT. I am ANGRY and want a Manager");
    expect(c.urgencyWords).toEqual(["urgent", "please"]);
    expect(c.escalationWords).toEqual(["angry", "manager"]);
  });
});

describe("escalationReason", () => {
  const base: Classification = { category: "sales", priority: "low", urgencyWords: [], escalationWords: [] };

  it("escalates on escalation words first, whatever the priority", () => {
    expect(escalationReason(rules, { ...base, escalationWords: ["angry", "manager"] }, "basic")).toBe(
      "escalation words: angry, manager",
    );
  });

  it("escalates critical priority for any tier", () => {
    expect(escalationReason(rules, { ...base, priority: "critical" }, "basic")).toBe("critical priority");
    expect(escalationReason(rules, { ...base, priority: "critical" }, undefined)).toBe("critical priority");
  });

  it("escalates premium and enterprise customers at high priority only", () => {
    const high = { ...base, priority: "high" as const };
    expect(escalationReason(rules, high, "premium")).toBe("premium customer at high priority");
    expect(escalationReason(rules, high, "enterprise")).toBe("enterprise customer at high priority");
    expect(escalationReason(rules, high, "basic")).toBeUndefined();
    expect(escalationReason(rules, { ...base, priority: "medium" }, "premium")).toBeUndefined();
  });

  it("does not escalate an ordinary request", () => {
    expect(escalationReason(rules, base, "premium")).toBeUndefined();
  });
});

describe("loadRules: a user's own file", () => {
  it("fills in defaults and uses the user's categories", () => {
    const custom = loadRules(
      rulesFile({
        categories: { billing: ["invoice|receipt"] },
        urgency: [{ pattern: "now", priority: "high" }],
        escalation: ["lawyer"],
        escalateWhen: {},
      }),
    );
    expect(custom.fallbackCategory).toBe("general");
    expect(custom.escalateWhen).toEqual({ priorities: ["critical"], tierAtPriority: [] });
    const c = classify(custom, "I need my receipt now, or my lawyer calls");
    expect(c).toEqual({
      category: "billing",
      priority: "high",
      urgencyWords: ["now"],
      escalationWords: ["lawyer"],
    });
    expect(escalationReason(custom, c, "basic")).toBe("escalation words: lawyer");
  });

  it("names the file and the field of a mistake, as a configuration error", () => {
    const bad = rulesFile({ categories: { x: ["("] }, urgency: [], escalation: [], escalateWhen: {} });
    expect(() => loadRules(bad)).toThrow(
      expect.objectContaining({
        code: "CONFIG_INVALID",
        message: `Support rules ${bad}: categories.x.0: not a valid regular expression`,
      }),
    );
    const wrongPriority = rulesFile({
      categories: {},
      urgency: [{ pattern: "now", priority: "soonish" }],
      escalation: [],
      escalateWhen: {},
    });
    expect(() => loadRules(wrongPriority)).toThrow(/urgency\.0\.priority/);
    expect(() => loadRules(rulesFile("{ nope"))).toThrow(/Cannot read support rules .*: /);
    expect(() => loadRules(join(dir, "missing.json"))).toThrow(/Cannot read support rules .*missing\.json/);
  });
});
