/**
 * What a new password must be, wherever one is set (a new user, a change, a reset): at least 12
 * characters after Unicode NFC normalisation, at most 1024, not only whitespace.
 */

import { Type } from '@sinclair/typebox';
import { MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import { HttpError } from '../http-error.js';

/** Longest password accepted (scrypt work grows with it only slightly, the body limit more). */
export const MAX_PASSWORD_LENGTH = 1024;

/** The schema of a password being set. */
export const NewPasswordSchema = Type.String({
  minLength: MIN_PASSWORD_LENGTH,
  maxLength: MAX_PASSWORD_LENGTH,
});

/**
 * Refuses `password` (named `field` in the error) unless the policy holds for it as it will be
 * hashed, in NFC: a decomposed text can pass the schema's length and be shorter once composed.
 */
export function assertPasswordPolicy(field: string, password: string): void {
  const normal = password.normalize('NFC');
  if ([...normal].length < MIN_PASSWORD_LENGTH) {
    throw new HttpError(
      400,
      'BAD_PASSWORD',
      `${field} must be at least ${MIN_PASSWORD_LENGTH} characters`,
    );
  }
  if (normal.trim() === '') {
    throw new HttpError(400, 'BAD_PASSWORD', `${field} must not be only whitespace`);
  }
}
