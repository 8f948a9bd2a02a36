/** The server's state in one line, read from the public health route: which engine speaks, sidecar, queue. */
import { useEffect, useState } from "preact/hooks";

export interface Health {
  status: string;
  engine: { name: string; device: string; voice_method: string } | null;
  sidecar: { state: string; restarts: number };
  queue: { depth: number; capacity: number } | null;
}

const POLL_MS = 10_000;

export function ServerStatus() {
  const [health, setHealth] = useState<Health | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    // Health is public and answers 503 with the same body while the sidecar starts: a state to show.
    const poll = () =>
      fetch("/api/v1/health")
        .then((response) => response.json() as Promise<Health>)
        .then((report) => {
          setHealth(report);
          setFailed(false);
        })
        .catch(() => setFailed(true));
    void poll();
    const timer = setInterval(poll, POLL_MS);
    return () => clearInterval(timer);
  }, []);
  if (failed && !health) return <p class="status bad">Server unreachable or not ready</p>;
  if (!health) return <p class="status">Checking the server…</p>;
  const engine = health.engine ? `${health.engine.name} on ${health.engine.device}` : "no engine loaded";
  return (
    <p class={health.status === "healthy" ? "status good" : "status bad"}>
      <span>Engine: {engine}</span>
      <span>Sidecar: {health.sidecar.state}</span>
      {health.queue && (
        <span>
          Queue: {health.queue.depth}/{health.queue.capacity}
        </span>
      )}
    </p>
  );
}
