/** A few lines of client-side routing: `/` (runs) and `/runs/<id>` (one run), with the history API. */
import { type MouseEvent, type ReactNode, useEffect, useState } from "react";

const CHANGE = "baton:navigate";

/** A new page: one history entry. */
export function navigate(to: string): void {
  if (to === window.location.pathname + window.location.search) return;
  window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(CHANGE));
}

/** The same page in another state (filters, sort, page): the current entry changes, no new one. */
export function replaceQuery(search: string): void {
  const to = `${window.location.pathname}${search ? `?${search}` : ""}`;
  window.history.replaceState(window.history.state, "", to);
}

const read = () => ({ path: window.location.pathname, search: window.location.search });

export function useLocation(): { path: string; search: string } {
  const [where, setWhere] = useState(read);
  useEffect(() => {
    const update = () => setWhere(read());
    window.addEventListener("popstate", update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return where;
}

export function Link(props: { to: string; children: ReactNode; className?: string; testId?: string }) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    // A link inside a clickable row must not navigate twice (two history entries).
    e.stopPropagation();
    navigate(props.to);
  };
  return (
    <a href={props.to} onClick={click} className={props.className} data-testid={props.testId}>
      {props.children}
    </a>
  );
}
