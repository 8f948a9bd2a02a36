/** How query strings and form fields spell booleans (FastAPI's words, which the original API accepted). */
const TRUE_WORDS = ["true", "1", "yes", "on"];
const FALSE_WORDS = ["false", "0", "no", "off"];

/** true or false for a boolean word (any case), undefined for anything else. */
export function booleanWord(value: string): boolean | undefined {
  const word = value.toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return undefined;
}
