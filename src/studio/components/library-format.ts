/** How the library sections show numbers and dates (short, in the reader's locale), and save files. */
import { blobUrl } from "../api/client";

/** 2.25 → "2.3 s"; 125 → "2:05". Unknown → "—". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "—";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** ISO 8601 → the reader's local date and time; null → the given word. */
export function formatDate(iso: string | null | undefined, never = "—"): string {
  if (!iso) return never;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null) return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Saves a server file to the user's disk. A plain link cannot send the API key, so the bytes are fetched with
 * it and handed to the browser as a blob.
 */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const url = await blobUrl(path);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  // Some browsers read the blob after the click returns; a minute is ample before it is released.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
