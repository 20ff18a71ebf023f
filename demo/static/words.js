// The app's words in the page: demo/strings.py's table, in the browser's language, filled in as Python's
// str.format fills them, so one table serves the server and the page.

import TABLE from "./strings.js";

const DEFAULT_LANGUAGE = "en";

// The first of the browser's languages the app speaks (what Gradio's own labels follow too).
export const language = (navigator.languages ?? [navigator.language])
  .map((code) => code.slice(0, 2).toLowerCase())
  .find((code) => code in TABLE) ?? DEFAULT_LANGUAGE;

export const escape = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const HANGUL_FIRST = 0xac00, HANGUL_SYLLABLES = 11172, HANGUL_FINALS = 28; // as demo/strings.py
const FINAL_CONSONANT_SOUNDS = "013678LMNRlmnr";

// Whether a word, read aloud in Korean, ends in a consonant: it picks the particle after it (demo/strings.py).
function endsInConsonant(word) {
  const last = word.trimEnd().slice(-1), code = last.charCodeAt(0);
  if (code >= HANGUL_FIRST && code < HANGUL_FIRST + HANGUL_SYLLABLES) return (code - HANGUL_FIRST) % HANGUL_FINALS !== 0;
  return last !== "" && FINAL_CONSONANT_SOUNDS.includes(last);
}

// One replacement field's format spec, of the kinds the table uses: "", ",", ".2f", ".1%", ",.0f", and "이/가"
// (the word, then the particle that agrees with it).
function formatted(value, spec) {
  if (spec.includes("/")) {
    const [afterConsonant, afterVowel] = spec.split("/");
    return `${value}${endsInConsonant(String(value)) ? afterConsonant : afterVowel}`;
  }
  const match = /^(,)?(?:\.(\d+)([f%]))?$/.exec(spec);
  if (!match) throw new Error(`format spec ${spec} is not supported`);
  const [, grouping, digits, kind] = match;
  if (typeof value !== "number") return String(value);
  let text = String(kind === "%" ? value * 100 : value);
  if (digits !== undefined) text = (kind === "%" ? value * 100 : value).toFixed(+digits);
  if (grouping) text = text.replace(/^(-?\d+)/, (whole) => whole.replace(/\B(?=(\d{3})+$)/g, ","));
  return kind === "%" ? `${text}%` : text;
}

// The string `key` in the page's language, its {fields} filled from `values` (HTML-escaped).
export function say(key, values = {}) {
  const template = (TABLE[language] ?? TABLE[DEFAULT_LANGUAGE])[key];
  return template.replace(/\{(\w+)(?::([^}]*))?\}/g, (_, name, spec = "") => escape(formatted(values[name], spec)));
}
