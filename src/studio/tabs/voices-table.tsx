/** The voices of one page, with what a user picks a voice by, and the actions on each. */
import type { Voice } from "../api/library";
import { formatDate, formatDuration } from "../components/library-format";

interface VoiceTableProps {
  voices: readonly Voice[];
  onPreview: (voice: Voice) => void;
  onEdit: (voice: Voice) => void;
  onDelete: (voice: Voice) => void;
}

export function VoiceTable({ voices, onPreview, onEdit, onDelete }: VoiceTableProps) {
  if (voices.length === 0) return <p>No voices match.</p>;
  return (
    <div class="table-scroll">
      <table class="voice-table">
        <caption class="visually-hidden">Voices</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Folder</th>
            <th scope="col">Duration</th>
            <th scope="col">Tags</th>
            <th scope="col">Uses</th>
            <th scope="col">Last used</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {voices.map((voice) => (
            <tr key={voice.path}>
              <th scope="row">
                {voice.name}
                {voice.description && <small class="help description">{voice.description}</small>}
              </th>
              <td>{voice.folder_path ?? "(top)"}</td>
              <td>{formatDuration(voice.duration_seconds)}</td>
              <td>{voice.tags.join(", ")}</td>
              <td class="number">{voice.usage_count}</td>
              <td>{formatDate(voice.last_used, "never")}</td>
              <td>
                <div class="row-actions">
                  <button type="button" aria-label={`Play ${voice.name}`} onClick={() => onPreview(voice)}>
                    Play
                  </button>
                  <button type="button" aria-label={`Edit ${voice.name}`} onClick={() => onEdit(voice)}>
                    Edit
                  </button>
                  <button type="button" aria-label={`Delete ${voice.name}`} onClick={() => onDelete(voice)}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
