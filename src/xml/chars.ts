// Which characters an XML 1.0 document can carry (the `Char` production), shared by the parser, which refuses
// documents holding others, and the builder, which must never write them.

/** A character outside XML 1.0 `Char`: C0 controls but tab, LF and CR; lone surrogates; U+FFFE and U+FFFF. */
export const NON_XML_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The first character of `value` that XML 1.0 cannot carry, or undefined when every one can. */
export function nonXmlCharIn(value: string): string | undefined {
  return NON_XML_CHAR.exec(value)?.[0];
}

/** `U+0001`: how a character is named in messages. */
export function codePointName(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
