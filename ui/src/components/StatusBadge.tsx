export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <span className={`badge st-${status}`} data-testid={testId} data-status={status}>
      {status.replace("_", " ")}
    </span>
  );
}
