/**
 * Chapters of a long text, marked the way people already write them: a Markdown-style heading line (`# Title`,
 * `## Title` or `### Title`). Each chapter is spoken on its own and becomes a chapter mark in the audiobook, so
 * the marker line is a title, never speech.
 */

/** One chapter: its title and the text to speak (without the marker line). */
export interface ChapterText {
  title: string;
  text: string;
}

/** Title of the text before the first marker. */
const OPENING_TITLE = "Opening";
/** Title of a text without markers. */
const ONLY_CHAPTER_TITLE = "Chapter 1";

/** A marker line once trimmed: one to three `#`, whitespace, then the title. Four or more `#` are not a marker. */
const MARKER = /^#{1,3}\s+(\S.*)$/u;

const LINE_BREAK = /\r\n|\r|\n/u;

/**
 * Splits `text` into chapters at its marker lines (see {@link hasChapterMarkers}). Text before the first marker
 * becomes a chapter titled "Opening"; a text without markers is one chapter titled "Chapter 1". Each chapter's
 * text is trimmed, and chapters whose text is blank (a marker followed directly by another, or by the end) are
 * dropped: a chapter mark must point at audio, and a blank chapter has none. Blank text gives no chapters.
 */
export function splitChapters(text: string): ChapterText[] {
  let current = { title: OPENING_TITLE, lines: [] as string[] };
  const sections = [current];
  for (const line of text.split(LINE_BREAK)) {
    const title = markerTitle(line);
    if (title === undefined) current.lines.push(line);
    else {
      current = { title, lines: [] };
      sections.push(current);
    }
  }
  if (sections.length === 1) current.title = ONLY_CHAPTER_TITLE;
  return sections
    .map(({ title, lines }) => ({ title, text: lines.join("\n").trim() }))
    .filter((chapter) => chapter.text !== "");
}

/** Whether `text` has a marker line: a line whose trimmed form is 1–3 `#`, whitespace and a non-empty title. */
export function hasChapterMarkers(text: string): boolean {
  return text.split(LINE_BREAK).some((line) => markerTitle(line) !== undefined);
}

/** The title a marker line gives, or undefined when `line` is not a marker. */
function markerTitle(line: string): string | undefined {
  return MARKER.exec(line.trim())?.[1];
}
