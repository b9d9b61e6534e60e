/**
 * Where a worker's loop waits between claims: for a poll interval, or less when woken (work was
 * announced, or a slot came free). A wake while nobody waits is kept for the next wait.
 */
export class Wakeup {
  private pending = false;
  private resolve: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(() => this.fire(), ms);
    });
  }

  wake(): void {
    if (this.resolve) this.fire();
    else this.pending = true;
  }

  private fire(): void {
    clearTimeout(this.timer);
    const resolve = this.resolve;
    this.resolve = undefined;
    this.pending = false;
    resolve?.();
  }
}
