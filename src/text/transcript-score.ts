/**
 * How far a transcript is from the text that was meant to be spoken: the word error rate (WER) of verified
 * TTS. Both texts are normalised the same way first, so that only differences in the words count: a speech
 * recogniser writes "21st" or "$5" where the text may have words (or the reverse), and punctuation, case and
 * apostrophes are style, not speech.
 */

const ONES = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const SCALES = ["", "thousand", "million", "billion", "trillion"];
/** Ordinals that are not the cardinal plus "th". */
const IRREGULAR_ORDINALS: Record<string, string> = {
  one: "first",
  two: "second",
  three: "third",
  five: "fifth",
  eight: "eighth",
  nine: "ninth",
  twelve: "twelfth",
};
/** Currency symbols and their unit, singular and plural. */
const CURRENCIES: Record<string, [string, string]> = {
  $: ["dollar", "dollars"],
  "£": ["pound", "pounds"],
  "€": ["euro", "euros"],
};

/** An integer with thousands separators ("1,000,000") or plain digits, optionally with decimals. */
const NUMBER = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`;

/** The words of `text` after normalisation: lower case, numbers as English words, no punctuation. */
export function normalizeForScoring(text: string): string[] {
  const spoken = text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(new RegExp(`([$£€])\\s?(${NUMBER})`, "g"), (_, symbol: string, amount: string) =>
      currencyWords(symbol, amount),
    )
    .replace(new RegExp(`(${NUMBER})\\s?%`, "g"), (_, amount: string) => ` ${numberWords(amount)} percent `)
    .replace(/(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th)\b/g, (_, digits: string) => ` ${ordinalWords(digits)} `)
    .replace(new RegExp(NUMBER, "g"), (amount) => ` ${numberWords(amount)} `)
    // "don't" and "dont" are the same word to a listener; a dash between words is a pause, not a letter.
    .replace(/['’‘ʼ`]/g, "")
    .replace(/[\p{Pd}]/gu, " ")
    .replace(/[^\p{L}\p{M}\p{N}\s]/gu, " ");
  return spoken.split(/\s+/).filter((word) => word !== "");
}

/**
 * Word-level edit distance (substitutions, insertions, deletions) between the normalised texts, divided by
 * the reference's word count. 0 is a perfect transcript; an empty transcript of a non-empty text is 1; many
 * inserted words can take it above 1.
 */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const ref = normalizeForScoring(reference);
  const hyp = normalizeForScoring(hypothesis);
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;
  return editDistance(ref, hyp) / ref.length;
}

/** Levenshtein distance over words, keeping one row of the table. */
function editDistance(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, previous[j]! + 1, current[j - 1]! + 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** "1,234.5" → "one thousand two hundred thirty four point five"; decimals are read digit by digit. */
function numberWords(amount: string): string {
  const [whole, decimals] = amount.replace(/,/g, "").split(".") as [string, string | undefined];
  const integer = integerWords(whole);
  if (decimals === undefined) return integer;
  return `${integer} point ${digitWords(decimals)}`;
}

/** "$5" → "five dollars", "$1" → "one dollar", "$5.50" → "five dollars fifty cents". */
function currencyWords(symbol: string, amount: string): string {
  const [singular, plural] = CURRENCIES[symbol]!;
  const [whole, cents] = amount.replace(/,/g, "").split(".") as [string, string | undefined];
  const unit = whole === "1" ? singular : plural;
  if (cents === undefined) return ` ${integerWords(whole)} ${unit} `;
  if (cents.length !== 2) return ` ${numberWords(amount)} ${plural} `;
  const centWords =
    cents === "00" ? "" : ` ${integerWords(String(Number(cents)))} ${cents === "01" ? "cent" : "cents"}`;
  return ` ${integerWords(whole)} ${unit}${centWords} `;
}

/** "21" → "twenty first", "100" → "one hundredth". */
function ordinalWords(digits: string): string {
  const words = integerWords(digits.replace(/,/g, "")).split(" ");
  const last = words.pop()!;
  const ordinal = IRREGULAR_ORDINALS[last] ?? (last.endsWith("y") ? `${last.slice(0, -1)}ieth` : `${last}th`);
  return [...words, ordinal].join(" ");
}

/**
 * Cardinal words of a digit string, years included ("1984" → "one thousand nine hundred eighty four": both
 * texts get the same reading, which is all scoring needs). Leading zeros and numbers past the trillions are
 * read digit by digit, as people read codes.
 */
function integerWords(digits: string): string {
  if ((digits.length > 1 && digits.startsWith("0")) || digits.length > 15) return digitWords(digits);
  let rest = Number(digits);
  if (rest === 0) return "zero";
  const groups: string[] = [];
  for (let scale = 0; rest > 0; scale++, rest = Math.floor(rest / 1000)) {
    const group = rest % 1000;
    if (group > 0) groups.unshift([below1000(group), SCALES[scale]].filter(Boolean).join(" "));
  }
  return groups.join(" ");
}

function below1000(n: number): string {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  const parts = hundreds > 0 ? [ONES[hundreds]!, "hundred"] : [];
  if (rest >= 20) parts.push(TENS[Math.floor(rest / 10)]!, ...(rest % 10 > 0 ? [ONES[rest % 10]!] : []));
  else if (rest > 0) parts.push(ONES[rest]!);
  return parts.join(" ");
}

function digitWords(digits: string): string {
  return [...digits].map((digit) => ONES[Number(digit)]!).join(" ");
}
