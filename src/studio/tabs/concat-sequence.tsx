/**
 * The sequence being built, in order. Items are dropped in from the sources or dragged to another place; the
 * same moves have buttons (Move up, Move down, Remove) for keyboard users, and every change is announced.
 */
import { useState } from "preact/hooks";
import { ErrorMessage } from "../components/error-message";
import {
  DRAG_TYPE,
  inserted,
  itemLabel,
  moved,
  nextId,
  SILENCE_MS,
  type DragPayload,
  type SequenceItem,
} from "./concat-model";

interface SequenceProps {
  items: SequenceItem[];
  onChange: (items: SequenceItem[]) => void;
  /** The item a dragged source becomes, or null when it is gone (an upload removed meanwhile). */
  itemOf: (payload: DragPayload) => SequenceItem | null;
}

function payloadOf(event: DragEvent): DragPayload | null {
  const data = event.dataTransfer?.getData(DRAG_TYPE);
  return data ? (JSON.parse(data) as DragPayload) : null;
}

/** Lets a drop happen here, for our own payloads only (not files dragged in from the desktop). */
function allowDrop(event: DragEvent): void {
  if (!event.dataTransfer?.types.includes(DRAG_TYPE)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = event.dataTransfer.effectAllowed === "move" ? "move" : "copy";
}

export function Sequence({ items, onChange, itemOf }: SequenceProps) {
  const [announcement, setAnnouncement] = useState("");
  const [silence, setSilence] = useState("500");
  const [error, setError] = useState<unknown>(null);

  const change = (next: SequenceItem[], message: string) => {
    onChange(next);
    setAnnouncement(message);
  };
  const place = (at: number, item: SequenceItem) =>
    change(inserted(items, item, at), `Added ${itemLabel(item)} at position ${at + 1} of ${items.length + 1}.`);
  const move = (from: number, to: number) => {
    const next = moved(items, from, to);
    const now = next.indexOf(items[from]!);
    change(next, `Moved ${itemLabel(items[from]!)} to position ${now + 1} of ${items.length}.`);
  };
  const drop = (event: DragEvent, at: number) => {
    const payload = payloadOf(event);
    if (!payload) return;
    event.preventDefault();
    event.stopPropagation();
    if ("move" in payload) return move(payload.move, at);
    const item = itemOf(payload);
    if (item) place(at, item);
  };
  const addSilence = () => {
    const ms = Number(silence);
    if (!Number.isInteger(ms) || ms < SILENCE_MS.min || ms > SILENCE_MS.max) {
      setError(new Error(`A silence lasts ${SILENCE_MS.min} to ${SILENCE_MS.max} ms, in whole ms.`));
      return;
    }
    setError(null);
    place(items.length, { id: nextId("silence"), kind: "silence", ms });
  };

  return (
    <section aria-labelledby="concat-sequence-title" class="concat-sequence">
      <h3 id="concat-sequence-title">Sequence</h3>
      <ol class="concat-list" aria-label="Sequence">
        {items.map((item, i) => (
          <li
            key={item.id}
            class={`sequence-item ${item.kind}`}
            draggable
            onDragStart={(e) => {
              e.dataTransfer?.setData(DRAG_TYPE, JSON.stringify({ move: i } satisfies DragPayload));
              if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
            }}
            onDragOver={allowDrop}
            onDrop={(e) => drop(e, i)}
          >
            <span class="concat-name">
              {i + 1}. {itemLabel(item)}
            </span>
            <span class="sequence-buttons">
              <button
                type="button"
                disabled={i === 0}
                onClick={() => move(i, i - 1)}
                aria-label={`Move up: ${itemLabel(item)}`}
              >
                Move up
              </button>
              <button
                type="button"
                disabled={i === items.length - 1}
                onClick={() => move(i, i + 2)}
                aria-label={`Move down: ${itemLabel(item)}`}
              >
                Move down
              </button>
              <button
                type="button"
                onClick={() =>
                  change(
                    items.filter((other) => other !== item),
                    `Removed ${itemLabel(item)}.`,
                  )
                }
                aria-label={`Remove: ${itemLabel(item)}`}
              >
                Remove
              </button>
            </span>
          </li>
        ))}
      </ol>
      <div class="drop-zone sequence-end" onDragOver={allowDrop} onDrop={(e) => drop(e, items.length)}>
        {items.length === 0
          ? "Drag outputs and uploads here, or use their Add buttons."
          : "Drop here to add at the end; drop on an item to put it before that item."}
      </div>
      <div class="actions silence-row">
        <div class="field">
          <label for="concat-silence">Silence length (ms)</label>
          <input
            id="concat-silence"
            type="number"
            min={SILENCE_MS.min}
            max={SILENCE_MS.max}
            step={1}
            value={silence}
            onInput={(e) => setSilence(e.currentTarget.value)}
          />
        </div>
        <button type="button" onClick={addSilence}>
          Insert silence
        </button>
      </div>
      <ErrorMessage error={error} />
      <p role="status" class="help">
        {announcement}
      </p>
    </section>
  );
}
