import { useCallback, useEffect, useRef, useState } from "react";
import type { FeedEvent } from "../../src/http/api-types.js";
import { feedUrl } from "./api.js";

/** Follow a live feed; `onEvent` gets each event. Returns whether the feed is connected. */
export function useFeed(path: string | undefined, onEvent: (e: FeedEvent) => void): boolean {
  const [connected, setConnected] = useState(false);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (!path) return;
    const source = new EventSource(feedUrl(path));
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.onmessage = (m) => {
      const event = JSON.parse(m.data) as FeedEvent | { type: "ready" };
      if (event.type === "ready") setConnected(true);
      else handler.current(event as FeedEvent);
    };
    return () => {
      source.close();
      setConnected(false);
    };
  }, [path]);
  return connected;
}

/**
 * Load with `load`, again on `refresh()`, at most once per `gapMs` however many events ask for it
 * (a run emits many events a second; one fetch covers them all). A new `key` loads afresh; results
 * loaded for an older key are dropped.
 */
export function useLoader<T>(load: () => Promise<T>, key: string, gapMs = 200) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  const s = useRef({
    gen: 0,
    busy: false,
    again: false,
    timer: undefined as ReturnType<typeof setTimeout> | undefined,
  });

  const run = useCallback(async () => {
    const st = s.current;
    if (st.busy) {
      st.again = true;
      return;
    }
    st.busy = true;
    const gen = st.gen;
    try {
      const value = await loadRef.current();
      if (gen === st.gen) {
        setData(value);
        setError(undefined);
      }
    } catch (e) {
      if (gen === st.gen) setError(e as Error);
    } finally {
      st.busy = false;
      if (st.again) {
        st.again = false;
        void run();
      }
    }
  }, []);

  const refresh = useCallback(() => {
    const st = s.current;
    if (st.timer) return;
    st.timer = setTimeout(() => {
      st.timer = undefined;
      void run();
    }, gapMs);
  }, [run, gapMs]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is what asks for a fresh load.
  useEffect(() => {
    const st = s.current;
    st.gen += 1;
    setData(undefined);
    setError(undefined);
    if (st.busy) st.again = true;
    else void run();
    return () => {
      if (st.timer) clearTimeout(st.timer);
      st.timer = undefined;
    };
  }, [key, run]);

  return { data, error, refresh, reload: run };
}

/** The current time, ticking while `active` (for bars of work still going on). */
export function useNow(active: boolean, everyMs = 500): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [active, everyMs]);
  return now;
}

/** Whether a media query matches now, following changes (a phone turned, a window resized). */
export function useMedia(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const update = () => setMatches(list.matches);
    update();
    list.addEventListener("change", update);
    return () => list.removeEventListener("change", update);
  }, [query]);
  return matches;
}
