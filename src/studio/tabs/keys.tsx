/**
 * API keys (scope `admin`, docs/api/keys.md): the list with each key's scopes, limits and use, a form that
 * creates one (its secret shown once), and revocation after a confirmation.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api/client";
import { ErrorMessage } from "../components/error-message";
import { listKeys, revokeKey, type KeyView } from "./keys-api";
import { CreateKeyForm, SecretBox } from "./keys-create";
import "./keys.css";

export function KeysTab() {
  const [keys, setKeys] = useState<KeyView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<KeyView | null>(null);

  const load = () =>
    listKeys()
      .then((found) => {
        setKeys(found);
        setError(null);
      })
      .catch(setError);
  useEffect(() => void load(), []);

  if (error instanceof ApiError && (error.status === 403 || error.status === 401)) return <NotAllowed error={error} />;
  return (
    <>
      {secret && <SecretBox secret={secret} onDone={() => setSecret(null)} />}
      <CreateKeyForm
        onCreated={(created) => {
          setSecret(created);
          void load();
        }}
      />
      <section aria-labelledby="keys-list-title">
        <h3 id="keys-list-title">Keys</h3>
        <ErrorMessage error={error} />
        {keys === null && !error && <p role="status">Loading the keys…</p>}
        {keys?.length === 0 && <p>No keys yet.</p>}
        {keys && keys.length > 0 && <KeyTable keys={keys} onRevoke={setRevoking} />}
      </section>
      {revoking && (
        <RevokeDialog
          apiKey={revoking}
          onClose={(revoked) => {
            setRevoking(null);
            if (revoked) void load();
          }}
        />
      )}
    </>
  );
}

function NotAllowed({ error }: { error: ApiError }) {
  return (
    <section class="panel">
      <ErrorMessage error={error} />
      <p>
        Managing keys needs a key with the <code>admin</code> scope. Use the <strong>API key</strong> button at the top
        to enter one; an administrator can create it with{" "}
        <code>npm run keys -- create --name admin --scopes admin</code>.
      </p>
    </section>
  );
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never");

function limitsOf(key: KeyView): string {
  const { requests_per_minute: rpm, max_concurrent: concurrent, daily_chars: chars } = key.limits;
  const parts = [
    rpm !== null && `${rpm}/min`,
    concurrent !== null && `${concurrent} at once`,
    chars !== null && `${chars} chars/day`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(", ") : "none";
}

function KeyTable({ keys, onRevoke }: { keys: KeyView[]; onRevoke: (key: KeyView) => void }) {
  return (
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Scopes</th>
            <th scope="col">Limits</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} class={key.revoked_at ? "revoked" : undefined}>
              <th scope="row">{key.name}</th>
              <td>
                <code>{key.prefix}</code>
              </td>
              <td>{key.scopes.join(", ")}</td>
              <td>{limitsOf(key)}</td>
              <td>{when(key.created_at)}</td>
              <td>{when(key.last_used_at)}</td>
              <td>{key.revoked_at ? `Revoked ${when(key.revoked_at)}` : "Active"}</td>
              <td>
                {!key.revoked_at && (
                  <button type="button" onClick={() => onRevoke(key)}>
                    Revoke {key.name}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RevokeDialog({ apiKey, onClose }: { apiKey: KeyView; onClose: (revoked: boolean) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => dialog.current?.showModal(), []);
  const close = (revoked: boolean) => {
    dialog.current?.close();
    onClose(revoked);
  };
  const revoke = async () => {
    setBusy(true);
    try {
      await revokeKey(apiKey.id);
      close(true);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="revoke-title" onCancel={() => onClose(false)}>
      <h2 id="revoke-title">Revoke the key "{apiKey.name}"?</h2>
      <p>
        Every client using <code>{apiKey.prefix}</code> is refused from its next request on. This cannot be undone.
      </p>
      <ErrorMessage error={error} />
      <div class="actions">
        <button type="button" class="primary danger" disabled={busy} onClick={revoke}>
          Revoke key
        </button>
        <button type="button" onClick={() => close(false)}>
          Keep key
        </button>
      </div>
    </dialog>
  );
}
