/** The form that creates a key, and the one-time view of its secret. */
import { useState } from "preact/hooks";
import { SCOPES, type Scope } from "../../services/auth/scopes";
import { ErrorMessage } from "../components/error-message";
import { createKey, type KeyLimitsView, type NewKey } from "./keys-api";

const LIMITS: ReadonlyArray<{ name: keyof KeyLimitsView; label: string; help: string }> = [
  { name: "requests_per_minute", label: "Requests per minute", help: "Over a sliding minute." },
  { name: "max_concurrent", label: "Requests at once", help: "Requests running at the same time." },
  { name: "daily_chars", label: "TTS characters per day", help: "Counted per UTC day." },
];

export function CreateKeyForm({ onCreated }: { onCreated: (secret: string) => void }) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Set<Scope>>(new Set());
  const [limits, setLimits] = useState<NewKey["limits"]>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const toggle = (scope: Scope, on: boolean) => {
    const next = new Set(scopes);
    if (on) next.add(scope);
    else next.delete(scope);
    setScopes(next);
  };
  const setLimit = (limit: keyof KeyLimitsView, text: string) => {
    const next = { ...limits };
    if (text === "") delete next[limit];
    else next[limit] = Number(text);
    setLimits(next);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await createKey({ name, scopes: SCOPES.filter((scope) => scopes.has(scope)), limits });
      setName("");
      setScopes(new Set());
      setLimits({});
      onCreated(created.secret);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel" onSubmit={submit} aria-labelledby="key-create-title">
      <h3 id="key-create-title">Create a key</h3>
      <div class="grid">
        <div class="field">
          <label for="key-name">Name</label>
          <input id="key-name" type="text" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <small class="help">Who or what uses it, e.g. "narrator".</small>
        </div>
        {LIMITS.map((limit) => (
          <div class="field" key={limit.name}>
            <label for={`key-${limit.name}`}>{limit.label}</label>
            <input
              id={`key-${limit.name}`}
              type="number"
              min={1}
              step={1}
              value={limits[limit.name] ?? ""}
              aria-describedby={`key-${limit.name}-help`}
              onInput={(e) => setLimit(limit.name, e.currentTarget.value)}
            />
            <small id={`key-${limit.name}-help`} class="help">
              {limit.help} Empty: no limit.
            </small>
          </div>
        ))}
      </div>
      <fieldset class="field key-scopes">
        <legend>Scopes</legend>
        <div class="choices">
          {SCOPES.map((scope) => (
            <label key={scope}>
              <input
                type="checkbox"
                checked={scopes.has(scope)}
                onChange={(e) => toggle(scope, e.currentTarget.checked)}
              />
              {scope}
            </label>
          ))}
        </div>
        <small class="help">What the key may do; admin may do everything, key management included.</small>
      </fieldset>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy || scopes.size === 0}>
          {busy ? "Creating…" : "Create key"}
        </button>
      </div>
      <ErrorMessage error={error} />
    </form>
  );
}

/** The secret of a key just created: the server keeps only its hash, so this is the one chance to copy it. */
export function SecretBox({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("The browser refused the clipboard: select the secret and copy it by hand.");
    }
  };
  return (
    <section class="secret-box" aria-labelledby="secret-title">
      <h3 id="secret-title">The new key's secret</h3>
      <p class="secret-warning">
        <strong>Shown only this once.</strong> Store it now: the server keeps only its hash and cannot show it again.
      </p>
      <code class="secret">{secret}</code>
      <div class="actions">
        <button type="button" class="primary" onClick={copy}>
          Copy secret
        </button>
        <button type="button" onClick={onDone}>
          I have stored it
        </button>
      </div>
      <p role="status">{copied}</p>
    </section>
  );
}
