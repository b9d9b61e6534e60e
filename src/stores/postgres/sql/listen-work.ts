import type { PoolClient } from "pg";
import type { Db } from "../db.js";

const CHANNEL = "baton_work";
const RECONNECT_MS = 1_000;

/**
 * Call `onWork` whenever the schema's triggers announce claimable work (migration 3). One pool
 * client is held for the LISTEN; a lost connection is reopened after a second, and `onWork` is called
 * then too, since notifications sent meanwhile are lost. Workers poll as well: this only makes them
 * quicker, never correct.
 */
export async function listenForWork(db: Db, onWork: () => void): Promise<{ close(): Promise<void> }> {
  const schema = db.schema.slice(1, -1);
  let client: PoolClient | undefined;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onNotification = (msg: { channel: string; payload?: string }) => {
    if (msg.channel === CHANNEL && msg.payload === schema) onWork();
  };
  const connect = async (): Promise<void> => {
    const c = await db.pool.connect();
    c.on("notification", onNotification);
    c.on("error", (error) => {
      if (client !== c) return;
      client = undefined;
      c.release(error);
      retry();
    });
    await c.query(`LISTEN ${CHANNEL}`);
    if (closed) return c.release();
    client = c;
  };
  const retry = () => {
    if (closed) return;
    timer = setTimeout(() => {
      connect().then(onWork, retry);
    }, RECONNECT_MS);
    (timer as { unref?: () => void }).unref?.();
  };
  await connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      if (!c) return;
      c.off("notification", onNotification);
      await c.query(`UNLISTEN ${CHANNEL}`).then(
        () => c.release(),
        (error: Error) => c.release(error),
      );
    },
  };
}
