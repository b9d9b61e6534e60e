import { describe, expect, it } from "vitest";
import { resolveRetry, retryDelay, sleep } from "../../src/engine/retry.js";
import { abortable, childSignal, onAbort } from "../../src/engine/signals.js";
import { NonRetryableError } from "../../src/errors.js";

describe("onAbort", () => {
  it("calls every waiter once with the reason, and not those that left", () => {
    const controller = new AbortController();
    const calls: unknown[] = [];
    onAbort(controller.signal, (r) => calls.push(["one", r]));
    const off = onAbort(controller.signal, (r) => calls.push(["gone", r]));
    onAbort(controller.signal, (r) => calls.push(["two", r]));
    off();
    controller.abort("why");
    expect(calls).toEqual([
      ["one", "why"],
      ["two", "why"],
    ]);
  });
});

describe("abortable", () => {
  it("settles like the promise, or rejects with the abort reason first", async () => {
    const controller = new AbortController();
    await expect(abortable(Promise.resolve(1), controller.signal)).resolves.toBe(1);
    const never = abortable(new Promise(() => undefined), controller.signal);
    controller.abort(new Error("stop"));
    await expect(never).rejects.toThrow("stop");
    await expect(abortable(Promise.resolve(2), controller.signal)).rejects.toThrow("stop");
  });
});

describe("childSignal", () => {
  it("aborts with its parent, or on its own timeout, and stops listening when disposed", async () => {
    const parent = new AbortController();
    const child = childSignal(parent.signal, undefined, () => "timeout");
    parent.abort("parent");
    expect(child.signal.reason).toBe("parent");
    const timed = childSignal(new AbortController().signal, 5, () => "timeout");
    await sleep(20);
    expect(timed.signal.reason).toBe("timeout");
    const other = new AbortController();
    const disposed = childSignal(other.signal, 5, () => "timeout");
    disposed.dispose();
    other.abort("late");
    await sleep(20);
    expect(disposed.signal.aborted).toBe(false);
  });
});

describe("retry policy", () => {
  it("backs off exponentially up to the maximum", () => {
    const policy = resolveRetry({ attempts: 6, initialDelayMs: 100, backoffFactor: 3, maxDelayMs: 1000 });
    expect([1, 2, 3, 4].map((a) => retryDelay(policy, a))).toEqual([100, 300, 900, 1000]);
  });

  it("jitters within ± the given fraction", () => {
    const policy = resolveRetry({ attempts: 2, initialDelayMs: 1000, jitter: 0.5 });
    expect(retryDelay(policy, 1, () => 0)).toBe(500);
    expect(retryDelay(policy, 1, () => 1)).toBe(1500);
    expect(resolveRetry({ attempts: 2, jitter: true }).jitter).toBe(0.2);
  });

  it("takes the fallback's fields, never retries NonRetryableError, and honours retryOn", () => {
    const policy = resolveRetry(
      { attempts: 3, retryOn: (e) => e.message !== "no" },
      { attempts: 9, initialDelayMs: 7 },
    );
    expect(policy.attempts).toBe(3);
    expect(policy.initialDelayMs).toBe(7);
    expect(policy.retryOn(new Error("yes"))).toBe(true);
    expect(policy.retryOn(new Error("no"))).toBe(false);
    expect(policy.retryOn(new NonRetryableError("fatal"))).toBe(false);
  });

  it("sleep ends early when its signal aborts", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(5000, controller.signal);
    controller.abort();
    await slept;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
