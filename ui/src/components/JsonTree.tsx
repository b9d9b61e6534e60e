/**
 * A JSON value as a tree: objects and arrays fold (native <details>, so the keyboard opens them),
 * the first levels open; long strings wrap at spaces, not inside words.
 */
export function JsonTree(props: { value: unknown; testId?: string; openDepth?: number; label?: string }) {
  return (
    <div className="json-tree" data-testid={props.testId}>
      <Node name={props.label} value={props.value} depth={0} openDepth={props.openDepth ?? 2} />
    </div>
  );
}

function Node(props: { name: string | undefined; value: unknown; depth: number; openDepth: number }) {
  const { name, value, depth } = props;
  const key = name !== undefined ? <span className="jt-key">{name}: </span> : null;
  if (value === null || typeof value !== "object")
    return (
      <div className="jt-leaf">
        {key}
        <Leaf value={value} />
      </div>
    );
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0)
    return (
      <div className="jt-leaf">
        {key}
        <span className="jt-punct">{`${open}${close}`}</span>
      </div>
    );
  const size = Array.isArray(value) ? `${entries.length} items` : `${entries.length} keys`;
  return (
    <details className="jt-branch" open={depth < props.openDepth}>
      <summary>
        {key}
        <span className="jt-punct">{open}</span> <span className="muted">{size}</span>{" "}
        <span className="jt-punct">{close}</span>
      </summary>
      <div className="jt-children">
        {entries.map(([k, v]) => (
          <Node key={k} name={k} value={v} depth={depth + 1} openDepth={props.openDepth} />
        ))}
      </div>
    </details>
  );
}

function Leaf({ value }: { value: unknown }) {
  if (typeof value === "string") return <span className="jt-string">"{value}"</span>;
  if (typeof value === "number") return <span className="jt-number">{value}</span>;
  if (typeof value === "boolean") return <span className="jt-bool">{String(value)}</span>;
  if (value === null) return <span className="jt-null">null</span>;
  return <span className="jt-null">{value === undefined ? "undefined" : String(value)}</span>;
}
