/** `text` with every regular-expression metacharacter escaped, to match it literally (what `RegExp.escape` does on Node 24+). */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
