import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { BatonError } from "../../index.js";

export const PRIORITIES = ["low", "medium", "high", "critical"] as const;
export type Priority = (typeof PRIORITIES)[number];
const priority = z.enum(PRIORITIES);

const pattern = z.string().refine((p) => {
  try {
    new RegExp(p, "i");
    return true;
  } catch {
    return false;
  }
}, "not a valid regular expression");

const rulesSchema = z.object({
  categories: z.record(z.string(), z.array(pattern).min(1)),
  fallbackCategory: z.string().default("general"),
  urgency: z.array(z.object({ pattern, priority })),
  defaultPriority: priority.default("low"),
  escalation: z.array(pattern),
  escalateWhen: z.object({
    priorities: z.array(priority).default(["critical"]),
    tierAtPriority: z.array(z.object({ tier: z.string(), priority })).default([]),
  }),
  sla: z.record(z.string(), z.string()).default({}),
});
export type Rules = z.output<typeof rulesSchema>;

export const DEFAULT_RULES_FILE = fileURLToPath(
  new URL("../../../workflows/support-router.rules.json", import.meta.url),
);

/** Read and check a rules file; an error (CONFIG_INVALID: exit 2 in the CLI) names the file and the field. */
export function loadRules(file = process.env.BATON_SUPPORT_RULES ?? DEFAULT_RULES_FILE): Rules {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new BatonError("CONFIG_INVALID", `Cannot read support rules ${file}: ${(error as Error).message}`);
  }
  const parsed = rulesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BatonError(
      "CONFIG_INVALID",
      `Support rules ${file}: ${issue.path.join(".")}: ${issue.message}`,
    );
  }
  return parsed.data;
}

export interface Classification {
  category: string;
  priority: Priority;
  urgencyWords: string[];
  escalationWords: string[];
}

/** A pattern matches at the start of a word: "refunds" is about a refund, "update" is not about data. */
const matches = (p: string, text: string) => text.match(new RegExp(`\\b(?:${p})`, "gi")) ?? [];

/** Category by most pattern matches (ties: first in the file), priority by the most urgent word. */
export function classify(rules: Rules, query: string): Classification {
  let category = rules.fallbackCategory;
  let best = 0;
  for (const [name, patterns] of Object.entries(rules.categories)) {
    const score = patterns.reduce((n, p) => n + matches(p, query).length, 0);
    if (score > best) {
      best = score;
      category = name;
    }
  }
  let level: Priority = rules.defaultPriority;
  const urgencyWords: string[] = [];
  for (const u of rules.urgency) {
    const found = matches(u.pattern, query);
    urgencyWords.push(...found.map((w) => w.toLowerCase()));
    if (found.length > 0 && PRIORITIES.indexOf(u.priority) > PRIORITIES.indexOf(level)) level = u.priority;
  }
  const escalationWords = rules.escalation.flatMap((p) => matches(p, query).map((w) => w.toLowerCase()));
  return { category, priority: level, urgencyWords, escalationWords };
}

/** Why a request must go to a human, or undefined. */
export function escalationReason(
  rules: Rules,
  c: Classification,
  tier: string | undefined,
): string | undefined {
  if (c.escalationWords.length > 0) return `escalation words: ${c.escalationWords.join(", ")}`;
  if (rules.escalateWhen.priorities.includes(c.priority)) return `${c.priority} priority`;
  const rule = rules.escalateWhen.tierAtPriority.find((r) => r.tier === tier && r.priority === c.priority);
  if (rule) return `${tier} customer at ${c.priority} priority`;
  return undefined;
}
