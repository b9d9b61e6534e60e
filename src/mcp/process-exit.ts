/**
 * The SDK's stdio close ends stdin, then sends SIGTERM, then SIGKILL, but does not wait after the last
 * one. Shutdown promises that no child is left behind, so we wait for the pid to disappear, and kill it
 * if a server ignored both the end of its input and SIGTERM.
 */
export async function ensureExited(pid: number, graceMs = 3_000): Promise<void> {
  if (await exitedWithin(pid, graceMs)) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  await exitedWithin(pid, 1_000);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone. EPERM: the pid now belongs to someone else's process, so ours is gone too.
    return false;
  }
}

async function exitedWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (isRunning(pid)) {
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
