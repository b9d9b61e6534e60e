import type { Store } from "../engine/store.js";

export type ScheduleMethods = Pick<
  Store,
  | "createSchedule"
  | "getSchedule"
  | "listSchedules"
  | "updateSchedule"
  | "deleteSchedule"
  | "setScheduleTicked"
>;

/** A store's schedule methods, bound, for a wrapper store that changes none of them (`...scheduleMethods(inner)`). */
export function scheduleMethods(store: Store): ScheduleMethods {
  return {
    createSchedule: (schedule) => store.createSchedule(schedule),
    getSchedule: (name) => store.getSchedule(name),
    listSchedules: (filter) => store.listSchedules(filter),
    updateSchedule: (name, patch) => store.updateSchedule(name, patch),
    deleteSchedule: (name) => store.deleteSchedule(name),
    setScheduleTicked: (name, expected, advance) => store.setScheduleTicked(name, expected, advance),
  };
}
