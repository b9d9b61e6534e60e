import type { CircuitSettings } from "./config-types.js";

export type CircuitState = "closed" | "open" | "half-open";

/** Leave to make one call; report how it went exactly once (later reports are ignored). */
export interface CircuitPermit {
  /** The server answered (even with an `isError` result). */
  success(): void;
  /** The server did not answer: start failure, lost connection, timeout. */
  failure(): void;
  /** The call ended for a reason that says nothing about the server (the caller aborted). */
  release(): void;
}

export type CircuitListener = (from: CircuitState, to: CircuitState) => void;

/**
 * Per-server circuit breaker. Closed: calls pass, consecutive failures are counted. Open: calls fail fast
 * until `resetAfterMs` has passed. Half-open: one trial call at a time; `successThreshold` successes close
 * the circuit, any failure opens it again.
 */
export class CircuitBreaker {
  private current: CircuitState = "closed";
  private failures = 0;
  private successes = 0;
  private openedAt = 0;
  private trialInFlight = false;

  constructor(
    private readonly settings: CircuitSettings,
    private readonly now: () => number = Date.now,
    private readonly onChange?: CircuitListener,
  ) {}

  get state(): CircuitState {
    if (this.current === "open" && this.now() >= this.retryAt) this.transition("half-open");
    return this.current;
  }

  /** When an open circuit lets a trial call through. */
  get retryAt(): number {
    return this.openedAt + this.settings.resetAfterMs;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** A permit, or `undefined` when the call must fail fast. */
  acquire(): CircuitPermit | undefined {
    const state = this.state;
    if (state === "open") return undefined;
    if (state === "half-open") {
      if (this.trialInFlight) return undefined;
      this.trialInFlight = true;
      return this.permit(true);
    }
    return this.permit(false);
  }

  private permit(trial: boolean): CircuitPermit {
    let done = false;
    const settle = (outcome: "success" | "failure" | "release") => {
      if (done) return;
      done = true;
      if (trial) this.trialInFlight = false;
      if (outcome === "success") this.onSuccess(trial);
      else if (outcome === "failure") this.onFailure(trial);
    };
    return {
      success: () => settle("success"),
      failure: () => settle("failure"),
      release: () => settle("release"),
    };
  }

  private onSuccess(trial: boolean): void {
    if (!trial) {
      // A call that started before the circuit opened says nothing about the server now.
      if (this.current === "closed") this.failures = 0;
      return;
    }
    if (this.current !== "half-open") return;
    this.successes += 1;
    if (this.successes >= this.settings.successThreshold) this.transition("closed");
  }

  private onFailure(trial: boolean): void {
    if (trial && this.current === "half-open") {
      this.transition("open");
      return;
    }
    if (this.current !== "closed") return;
    this.failures += 1;
    if (this.failures >= this.settings.failureThreshold) this.transition("open");
  }

  private transition(to: CircuitState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    if (to === "open") this.openedAt = this.now();
    if (to === "closed") this.failures = 0;
    this.successes = 0;
    this.onChange?.(from, to);
  }
}
