/**
 * Sigma's encoding modifiers (base64, base64offset, utf16le/utf16be/utf16/wide): a value is
 * turned into the text a log would hold when the original was encoded.
 */

/** Text whose characters are bytes (0-255), as produced by the UTF-16 modifiers. */
export interface EncodedText {
  text: string;
  binary: boolean;
}

function bytesOf(value: EncodedText): Buffer {
  return Buffer.from(value.text, value.binary ? 'latin1' : 'utf8');
}

/** `base64`: the Base64 form of the value. */
export function base64(value: EncodedText): string {
  return bytesOf(value).toString('base64');
}

const START_OFFSETS = [0, 2, 3];
const END_OFFSETS = [0, -3, -2];

/**
 * `base64offset`: the three stable middles of the value's Base64 form when it starts at byte
 * offset 0, 1 or 2 of a larger encoded text.
 */
export function base64Offsets(value: EncodedText): string[] {
  const bytes = bytesOf(value);
  const variants: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift, 0x20), bytes]);
    const encoded = padded.toString('base64');
    const end = END_OFFSETS[(bytes.length + shift) % 3];
    variants.push(encoded.slice(START_OFFSETS[shift], end === 0 ? undefined : end));
  }
  return variants;
}

/** UTF-16 code units of `text` as a byte string, little- or big-endian. */
export function utf16(text: string, order: 'le' | 'be'): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const low = String.fromCharCode(unit & 0xff);
    const high = String.fromCharCode(unit >> 8);
    out += order === 'le' ? low + high : high + low;
  }
  return out;
}

/** Byte-order mark that `utf16` puts before little-endian text. */
export const UTF16_BOM = '\xff\xfe';
