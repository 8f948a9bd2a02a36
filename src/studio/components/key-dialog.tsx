/** Asks for the API key (servers with `auth.enabled`); it is kept in session storage, so it ends with the tab. */
import { useEffect, useRef, useState } from "preact/hooks";
import { apiKey, setApiKey } from "../api/client";

interface KeyDialogProps {
  /** Why it opened: the server's refusal, or "" when the user asked. */
  reason: string;
  onClose: (changed: boolean) => void;
}

export function KeyDialog({ reason, onClose }: KeyDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [key, setKey] = useState(apiKey() ?? "");
  useEffect(() => dialog.current?.showModal(), []);

  const finish = (next: string | null) => {
    const changed = next !== apiKey();
    setApiKey(next);
    dialog.current?.close();
    onClose(changed);
  };

  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="key-title" onCancel={() => onClose(false)}>
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          finish(key.trim() || null);
        }}
      >
        <h2 id="key-title">API key</h2>
        {reason && (
          <p role="alert" class="error">
            {reason}
          </p>
        )}
        <p>
          This server asks for a key. It stays in this tab only (session storage) and is sent as a Bearer token. Keys
          come from <code>npm run keys -- create</code> or the Keys section.
        </p>
        <label for="api-key">Key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        <div class="actions">
          <button type="submit">Use key</button>
          <button type="button" onClick={() => finish(null)}>
            Forget key
          </button>
          <button
            type="button"
            onClick={() => {
              dialog.current?.close();
              onClose(false);
            }}
          >
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
