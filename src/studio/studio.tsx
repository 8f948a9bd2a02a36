/**
 * The studio's frame: the server's state in the header, one link per section (`#/generate` …), the section
 * itself, and the dialog that asks for an API key whenever the server refuses a call for want of one.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { onUnauthorized } from "./api/client";
import { KeyDialog } from "./components/key-dialog";
import { ServerStatus } from "./components/server-status";
import { TABS } from "./tabs";

function tabFromHash(): string {
  const id = location.hash.replace(/^#\/?/, "");
  return TABS.some((tab) => tab.id === id) ? id : TABS[0]!.id;
}

export function Studio() {
  const [tabId, setTabId] = useState(tabFromHash);
  const [keyPrompt, setKeyPrompt] = useState<string | null>(null);
  const [keyVersion, setKeyVersion] = useState(0);
  const main = useRef<HTMLElement>(null);
  const moved = useRef(false);

  useEffect(() => {
    onUnauthorized((message) => setKeyPrompt(message));
    const follow = () => {
      setTabId(tabFromHash());
      moved.current = true;
    };
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);

  const tab = TABS.find((candidate) => candidate.id === tabId)!;
  useEffect(() => {
    document.title = `${tab.title} · Chatterbox Studio`;
    // Keyboard and screen-reader users land on the section they chose, not back at the top of the page.
    if (moved.current) main.current?.focus();
  }, [tab]);

  return (
    <>
      <a class="skip" href="#main" onClick={() => main.current?.focus()}>
        Skip to content
      </a>
      <header class="top">
        <h1>Chatterbox Studio</h1>
        <ServerStatus key={keyVersion} />
        <button type="button" onClick={() => setKeyPrompt("")}>
          API key
        </button>
      </header>
      <nav aria-label="Studio sections" class="tabs">
        {TABS.map((candidate) => (
          <a key={candidate.id} href={`#/${candidate.id}`} aria-current={candidate.id === tab.id ? "page" : undefined}>
            {candidate.title}
          </a>
        ))}
      </nav>
      <main id="main" ref={main} tabIndex={-1} key={`${tab.id}-${keyVersion}`}>
        <h2>{tab.title}</h2>
        <tab.view />
      </main>
      {keyPrompt !== null && (
        <KeyDialog
          reason={keyPrompt}
          onClose={(changed) => {
            setKeyPrompt(null);
            // A new key may see what the old one could not: the section loads again with it.
            if (changed) setKeyVersion((version) => version + 1);
          }}
        />
      )}
    </>
  );
}
