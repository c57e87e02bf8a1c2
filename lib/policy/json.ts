// JSON for documents whose meaning must be unambiguous (bucket policies): JSON.parse, then a refusal
// of duplicate object keys, which JSON.parse silently resolves to the last one (a policy could then
// show a Deny to GetBucketPolicy while an Allow is enforced).
//
// Why a scanner and not a library: the well-kept parser that can report duplicates, Microsoft's
// jsonc-parser (its `visit` callbacks), is recursive descent (parseValue → parseArray → parseValue),
// and a 20 KB policy can nest ~10,000 levels deep (a hostile-corpus case) while V8's JSON.parse is
// iterative; it is also lenient by design (comments, trailing commas), so JSON.parse would still be
// needed for strictness. What is left to do on text JSON.parse accepted is
// small: walk it once, keep a set of keys per open object, and decode each key with JSON.parse so
// `"A"` and `"\u0041"` are the same key. Linear time, no recursion.

const isJsonWhitespace = (character: string | undefined) =>
  character === ' ' || character === '\t' || character === '\n' || character === '\r';

/** The first key that appears twice in one object of `text` (already valid JSON), if any. */
export function duplicateKey(text: string): string | undefined {
  // One entry per open container: a key set for an object, undefined for an array.
  const open: Array<Set<string> | undefined> = [];
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (character === '{') open.push(new Set());
    else if (character === '[') open.push(undefined);
    else if (character === '}' || character === ']') open.pop();
    else if (character === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      let next = end + 1;
      while (isJsonWhitespace(text[next])) next++;
      const keys = open.at(-1);
      if (keys && text[next] === ':') {
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      index = end;
    }
  }
  return undefined;
}

/** JSON.parse that refuses duplicate keys; throws SyntaxError for either. */
export function parseStrictJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const duplicate = duplicateKey(text);
  if (duplicate !== undefined) throw new SyntaxError(`Duplicate key in JSON: ${duplicate}`);
  return value;
}
