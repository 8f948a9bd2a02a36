/**
 * An audio file from the user: dropped on the zone, picked with the file dialog, or recorded from the
 * microphone (MediaRecorder; the browser asks for permission). Hands over a File either way.
 */
import { useRef, useState } from "preact/hooks";
import { ErrorMessage } from "./error-message";
import { useElapsed } from "./use-elapsed";

interface AudioInputProps {
  id: string;
  label: string;
  file: File | null;
  onFile: (file: File | null) => void;
}

export function AudioInput({ id, label, file, onFile }: AudioInputProps) {
  const [over, setOver] = useState(false);
  const [recorder, setRecorder] = useState<MediaRecorder | null>(null);
  const [recordingSince, setRecordingSince] = useState<number | null>(null);
  const recorded = useElapsed(recordingSince);
  const [error, setError] = useState<unknown>(null);
  const chunks = useRef<Blob[]>([]);

  const record = async () => {
    setError(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const next = new MediaRecorder(stream);
      chunks.current = [];
      next.ondataavailable = (event) => chunks.current.push(event.data);
      next.onstop = () => {
        stream.getTracks().forEach((track) => track.stop());
        const type = next.mimeType || "audio/webm";
        const extension = type.includes("ogg") ? "ogg" : "webm";
        onFile(new File(chunks.current, `recording-${Date.now()}.${extension}`, { type }));
        setRecorder(null);
        setRecordingSince(null);
      };
      next.start();
      setRecorder(next);
      setRecordingSince(performance.now());
    } catch (failure) {
      setError(new Error(`The microphone is not available: ${(failure as Error).message}`));
    }
  };

  return (
    <div
      class={over ? "drop-zone over" : "drop-zone"}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        const dropped = event.dataTransfer?.files[0];
        if (dropped) onFile(dropped);
      }}
    >
      <label for={id}>{label}</label>
      <p class="help">Drop an audio file here, choose one, or record from the microphone.</p>
      <div class="actions">
        <input
          id={id}
          type="file"
          accept="audio/*"
          onChange={(event) => onFile(event.currentTarget.files?.[0] ?? null)}
        />
        {recorder ? (
          <button type="button" class="primary" onClick={() => recorder.stop()}>
            Stop recording
          </button>
        ) : (
          <button type="button" onClick={record}>
            Record
          </button>
        )}
      </div>
      <p role="status">{recorder ? "Recording…" : file ? `Selected: ${file.name}` : ""}</p>
      {/* Not in the status line: a screen reader would read out every tenth of a second. */}
      {recorder && <p class="help">{(recorded / 1000).toFixed(1)} s recorded</p>}
      <ErrorMessage error={error} />
    </div>
  );
}
