// Case folding for names (actions, condition keys, policy variables, `true`/`false`): ASCII only.
// String.prototype.toLowerCase folds Unicode too, so `s3:DeleteBuc\u212Aet` (KELVIN SIGN) became
// `s3:deletebucket` and was enforced as s3:DeleteBucket (issue 18, a LOW finding). IAM's names are
// ASCII; a name spelt with another character is another name (docs/accounts.md › Names and case).

/** `value` with A–Z lowered, every other character kept as it is. */
export function asciiLower(value: string): string {
  let folded: string | undefined;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code >= 65 && code <= 90) {
      folded ??= value.slice(0, index);
      folded += String.fromCharCode(code + 32);
    } else if (folded !== undefined) folded += value[index];
  }
  return folded ?? value;
}

/** The code unit lowered when it is A–Z (glob matching of action names). */
export const asciiLowerCode = (code: number): number => (code >= 65 && code <= 90 ? code + 32 : code);
