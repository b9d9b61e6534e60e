import { useEffect, useState } from "react";
import { setToken, UNAUTHORIZED } from "./api.js";
import { RunPage } from "./pages/RunPage.js";
import { RunsPage } from "./pages/RunsPage.js";
import { SchedulesPage } from "./pages/SchedulesPage.js";
import { Link, useLocation } from "./router.js";

export function App() {
  const { path } = useLocation();
  const [needToken, setNeedToken] = useState(false);
  useEffect(() => {
    const ask = () => setNeedToken(true);
    window.addEventListener(UNAUTHORIZED, ask);
    return () => window.removeEventListener(UNAUTHORIZED, ask);
  }, []);
  const run = /^\/runs\/([^/]+)\/?$/.exec(path);
  return (
    <>
      <nav className="top">
        <Link to="/" className="brand">
          <b>baton</b> dashboard
        </Link>
        <Link to="/" className="nav-link">
          runs
        </Link>
        <Link to="/schedules" className="nav-link" testId="nav-schedules">
          schedules
        </Link>
      </nav>
      {needToken ? (
        <TokenForm />
      ) : run ? (
        <RunPage key={run[1]} runId={decodeURIComponent(run[1]!)} />
      ) : path === "/schedules" ? (
        <SchedulesPage />
      ) : (
        <RunsPage />
      )}
    </>
  );
}

function TokenForm() {
  const [token, setValue] = useState("");
  return (
    <main className="page">
      <form
        className="card token"
        data-testid="token-form"
        onSubmit={(e) => {
          e.preventDefault();
          setToken(token.trim());
          window.location.reload();
        }}
      >
        <h2>This server needs a token</h2>
        <p className="muted">
          It was started with <code>BATON_TOKEN</code> or <code>--token</code>. It is kept for this tab only.
        </p>
        <input
          type="password"
          value={token}
          onChange={(e) => setValue(e.target.value)}
          data-testid="token-input"
        />
        <button type="submit" className="primary">
          Use token
        </button>
      </form>
    </main>
  );
}
