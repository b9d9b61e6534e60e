/**
 * Runs a check every `intervalMs`, never two at once, without keeping the process alive (the timer is
 * unref'd: a script that is done may exit while servers are being watched).
 */
export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly check: () => Promise<unknown>,
    private readonly intervalMs: number,
  ) {}

  get active(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer !== undefined || this.intervalMs <= 0) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.running !== undefined) return;
    this.running = this.check()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
      });
  }

  /** Stops the timer and waits for a check in progress to finish. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
