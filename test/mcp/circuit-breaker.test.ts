import { describe, expect, it } from "vitest";
import { CircuitBreaker, type CircuitState } from "../../src/mcp/index.js";

function breaker(settings = { failureThreshold: 3, resetAfterMs: 1000, successThreshold: 2 }) {
  let now = 0;
  const changes: Array<[CircuitState, CircuitState]> = [];
  const b = new CircuitBreaker(
    settings,
    () => now,
    (from, to) => changes.push([from, to]),
  );
  return { b, changes, advance: (ms: number) => (now += ms) };
}

describe("CircuitBreaker", () => {
  it("opens after consecutive failures and fails fast while open", () => {
    const { b, changes } = breaker();
    b.acquire()?.failure();
    b.acquire()?.failure();
    expect(b.state).toBe("closed");
    b.acquire()?.failure();
    expect(b.state).toBe("open");
    expect(b.acquire()).toBeUndefined();
    expect(changes).toEqual([["closed", "open"]]);
  });

  it("a success resets the failure count", () => {
    const { b } = breaker();
    b.acquire()?.failure();
    b.acquire()?.failure();
    b.acquire()?.success();
    b.acquire()?.failure();
    b.acquire()?.failure();
    expect(b.state).toBe("closed");
    expect(b.consecutiveFailures).toBe(2);
  });

  it("goes half-open after the reset time, allows one trial at a time, closes after enough successes", () => {
    const { b, advance, changes } = breaker();
    for (let i = 0; i < 3; i++) b.acquire()?.failure();
    advance(999);
    expect(b.state).toBe("open");
    advance(1);
    expect(b.state).toBe("half-open");
    const trial = b.acquire();
    expect(trial).toBeDefined();
    expect(b.acquire()).toBeUndefined();
    trial?.success();
    expect(b.state).toBe("half-open");
    b.acquire()?.success();
    expect(b.state).toBe("closed");
    expect(changes).toEqual([
      ["closed", "open"],
      ["open", "half-open"],
      ["half-open", "closed"],
    ]);
  });

  it("a failed trial opens the circuit again for a full reset period", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.acquire()?.failure();
    advance(1000);
    b.acquire()?.failure();
    expect(b.state).toBe("open");
    advance(999);
    expect(b.state).toBe("open");
    advance(1);
    expect(b.state).toBe("half-open");
  });

  it("a released permit (caller abort) counts for nothing and frees the trial slot", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.acquire()?.failure();
    advance(1000);
    const trial = b.acquire();
    trial?.release();
    trial?.failure();
    expect(b.state).toBe("half-open");
    expect(b.acquire()).toBeDefined();
  });
});
