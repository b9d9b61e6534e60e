import type { Migration } from "./migration.js";

/**
 * What distributed steps and waiting workers need beyond 002. The step protocol as built (002's comment
 * on `step_tasks` sketched another): the worker holding the run's lease offers a large step's tasks,
 * every worker claims and runs them, and storing a task's final record deletes its row in the same
 * statement; the run's worker waits until none of the step's rows is open, then settles the step
 * itself (join, routing, checkpoint) in the engine's own loop. Only the lease holder settles, so the
 * join runs once; if it dies, the worker that takes the run over waits for the same rows.
 *
 * - `step_tasks.seq`: the completion order the run's driver reserved for the task, so records made on
 *   other workers still undo in a well-defined order;
 * - `step_tasks.aborted`: a task that ended its run on purpose (`ctx.abort`) leaves no task record,
 *   so its reason waits here for the driver;
 * - a `baton_work` notification (payload: the schema) when work may have become claimable, so idle
 *   workers claim it at once instead of at their next poll. Identical notifications in one
 *   transaction are folded into one by PostgreSQL; publishing a step notifies once per statement.
 */
export default {
  version: 3,
  name: "cluster-work",
  sql: `
ALTER TABLE step_tasks
  ADD COLUMN seq integer NOT NULL DEFAULT 0,
  ADD COLUMN aborted text;

CREATE FUNCTION notify_work() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('baton_work', TG_TABLE_SCHEMA);
  RETURN NULL;
END
$$;

CREATE TRIGGER runs_submitted AFTER INSERT ON runs
  FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION notify_work();
CREATE TRIGGER runs_released AFTER UPDATE OF lease_owner ON runs
  FOR EACH ROW WHEN (OLD.lease_owner IS NOT NULL AND NEW.lease_owner IS NULL
    AND NEW.status IN ('pending', 'running', 'compensating'))
  EXECUTE FUNCTION notify_work();
CREATE TRIGGER step_tasks_offered AFTER INSERT ON step_tasks
  FOR EACH STATEMENT EXECUTE FUNCTION notify_work();
`,
} satisfies Migration;
